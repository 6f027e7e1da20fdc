-- The change feed's sequence is the partnership's own: feed_seq counts 1, 2, 3… within one partnership, so no tenant can
-- count another's writes from the gaps in its feed. seq stays the table's key and the audit trail's order. An event the
-- feed does not show (an earlier event of an entity its unit wrote again) has no feed_seq. Existing events are numbered in
-- seq order; a portal holding an old, global seq as its cursor is told to resync (ChangesApi).
-- Each event also names its parent (parent_id: the type follows from entity_type) and its plan (plan_id), filled in here for
-- the entities that still exist. An observation event lists the periods and areas it wrote (periods, areas: JSON arrays).
ALTER TABLE audit_events ADD COLUMN feed_seq INTEGER NULL;
ALTER TABLE audit_events ADD COLUMN parent_id TEXT NULL;
ALTER TABLE audit_events ADD COLUMN plan_id TEXT NULL;
ALTER TABLE audit_events ADD COLUMN periods TEXT NULL;
ALTER TABLE audit_events ADD COLUMN areas TEXT NULL;
UPDATE audit_events SET feed_seq = numbered.n
FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY partnership_id ORDER BY seq) AS n FROM audit_events) AS numbered
WHERE numbered.seq = audit_events.seq;
CREATE UNIQUE INDEX ux_audit_events_feed_seq ON audit_events (partnership_id, feed_seq);

UPDATE audit_events SET parent_id = p.plan_id, plan_id = p.plan_id
FROM priorities p WHERE audit_events.entity_type = 'priority' AND p.partnership_id = audit_events.partnership_id AND p.id = audit_events.entity_id;
UPDATE audit_events SET parent_id = c.priority_id, plan_id = p.plan_id
FROM commitments c JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
WHERE audit_events.entity_type = 'commitment' AND c.partnership_id = audit_events.partnership_id AND c.id = audit_events.entity_id;
UPDATE audit_events SET parent_id = u.commitment_id, plan_id = p.plan_id
FROM commitment_updates u
JOIN commitments c ON c.partnership_id = u.partnership_id AND c.id = u.commitment_id
JOIN priorities p ON p.partnership_id = c.partnership_id AND p.id = c.priority_id
WHERE audit_events.entity_type = 'commitment_update' AND u.partnership_id = audit_events.partnership_id AND u.id = audit_events.entity_id;
UPDATE audit_events SET parent_id = o.framework_id
FROM outcomes o WHERE audit_events.entity_type = 'outcome' AND o.partnership_id = audit_events.partnership_id AND o.id = audit_events.entity_id;
UPDATE audit_events SET parent_id = a.outcome_id
FROM alignments a WHERE audit_events.entity_type = 'alignment' AND a.partnership_id = audit_events.partnership_id AND a.id = audit_events.entity_id;
UPDATE audit_events SET parent_id = entity_id WHERE entity_type = 'observation';
