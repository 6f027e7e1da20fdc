-- SQL Server twin of db/sqlite/0009_retraction.sql. Revisions outlive the observation they revise (a retraction deletes
-- the observation and keeps its history): they hang off the indicator instead, and a retraction's new value and status
-- are NULL. Cascade paths (error 1785): indicators -> observations and indicators -> observation_revisions, one path each.
ALTER TABLE observation_revisions DROP CONSTRAINT FK_observation_revisions_observations;
ALTER TABLE observation_revisions ALTER COLUMN new_value DECIMAL(19,6) NULL;
ALTER TABLE observation_revisions ALTER COLUMN new_status NVARCHAR(16) NULL;
ALTER TABLE observation_revisions ADD CONSTRAINT FK_observation_revisions_indicators
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE;

-- A retraction's tombstone in the change feed names the period and area it removed; NULL on every other event.
ALTER TABLE audit_events ADD period NVARCHAR(16) NULL, area NVARCHAR(9) NULL;
