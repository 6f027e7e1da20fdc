-- SQL Server twin of db/sqlite/0031_change_feed_per_partnership.sql: the change feed's sequence is the partnership's own
-- (feed_seq 1, 2, 3… within one partnership, none for an event the feed does not show), numbered in seq order for existing
-- events; each event names its parent and plan. A partnership's writes hold its application lock (csp/partnership/{id}),
-- so the next number is read and taken inside one turn.
ALTER TABLE audit_events ADD feed_seq BIGINT NULL, parent_id UNIQUEIDENTIFIER NULL, plan_id UNIQUEIDENTIFIER NULL,
    periods NVARCHAR(MAX) NULL, areas NVARCHAR(MAX) NULL;
GO
-- Rows of every partnership are renumbered: the platform marker (0006) lets this script past row-level security.
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
WITH numbered AS (
    SELECT feed_seq, ROW_NUMBER() OVER (PARTITION BY partnership_id ORDER BY seq) AS n FROM audit_events
)
UPDATE numbered SET feed_seq = n;
GO
CREATE UNIQUE INDEX ux_audit_events_feed_seq ON audit_events (partnership_id, feed_seq) WHERE feed_seq IS NOT NULL;
GO
UPDATE e SET parent_id = p.plan_id, plan_id = p.plan_id
FROM audit_events e JOIN priorities p ON p.partnership_id = e.partnership_id AND p.id = e.entity_id
WHERE e.entity_type = N'priority';
UPDATE e SET parent_id = c.priority_id, plan_id = p.plan_id
FROM audit_events e
JOIN commitments c ON c.partnership_id = e.partnership_id AND c.id = e.entity_id
JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
WHERE e.entity_type = N'commitment';
UPDATE e SET parent_id = u.commitment_id, plan_id = p.plan_id
FROM audit_events e
JOIN commitment_updates u ON u.partnership_id = e.partnership_id AND u.id = e.entity_id
JOIN commitments c ON c.partnership_id = u.partnership_id AND c.id = u.commitment_id
JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
WHERE e.entity_type = N'commitment_update';
UPDATE e SET parent_id = o.framework_id
FROM audit_events e JOIN outcomes o ON o.partnership_id = e.partnership_id AND o.id = e.entity_id
WHERE e.entity_type = N'outcome';
UPDATE e SET parent_id = a.outcome_id
FROM audit_events e JOIN alignments a ON a.partnership_id = e.partnership_id AND a.id = e.entity_id
WHERE e.entity_type = N'alignment';
UPDATE audit_events SET parent_id = entity_id WHERE entity_type = N'observation';
