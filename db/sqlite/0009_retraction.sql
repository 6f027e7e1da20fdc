-- Retraction: a value sent by mistake can be taken back, and its history stays. A retracted observation's row is deleted,
-- so its revisions no longer hang off it (they cascaded with it): they belong to the indicator instead, and a retraction
-- is itself a revision whose new value and status are NULL. SQLite cannot drop a foreign key or a NOT NULL in place, so
-- the table is rebuilt (nothing refers to it).
CREATE TABLE observation_revisions_rebuilt (
    partnership_id TEXT NOT NULL,
    id             TEXT NOT NULL,
    indicator_id   TEXT NOT NULL,
    period         TEXT NOT NULL,
    area           TEXT NOT NULL,
    old_value      TEXT NOT NULL,
    old_status     TEXT NOT NULL,
    old_note       TEXT NULL,
    old_client_id  TEXT NULL,
    old_recorded_at TEXT NOT NULL,
    new_value      TEXT NULL,
    new_status     TEXT NULL,
    new_note       TEXT NULL,
    new_client_id  TEXT NULL,
    revised_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);
INSERT INTO observation_revisions_rebuilt (partnership_id, id, indicator_id, period, area, old_value, old_status, old_note, old_client_id,
                                           old_recorded_at, new_value, new_status, new_note, new_client_id, revised_at)
SELECT partnership_id, id, indicator_id, period, area, old_value, old_status, old_note, old_client_id,
       old_recorded_at, new_value, new_status, new_note, new_client_id, revised_at
FROM observation_revisions;
DROP TABLE observation_revisions;
ALTER TABLE observation_revisions_rebuilt RENAME TO observation_revisions;
CREATE INDEX ix_observation_revisions_key ON observation_revisions (partnership_id, indicator_id, period, area, id);

-- A retraction's event in the change feed is a tombstone that names the value it removed: the indicator (entity_id),
-- the period and the area. NULL on every other event.
ALTER TABLE audit_events ADD COLUMN period TEXT NULL;
ALTER TABLE audit_events ADD COLUMN area TEXT NULL;
