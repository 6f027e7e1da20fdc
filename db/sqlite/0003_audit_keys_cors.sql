-- The audit trail, which is also the change feed: every mutation of a tenant's data writes one
-- event in the same transaction as the change. seq orders events in commit order (SQLite
-- serialises writers, so AUTOINCREMENT values commit in order).
CREATE TABLE audit_events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    at             TEXT NOT NULL,
    client_id      TEXT NULL,
    action         TEXT NOT NULL,
    op             TEXT NOT NULL,
    entity_type    TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    changes        TEXT NOT NULL
);
CREATE INDEX ix_audit_events_partnership ON audit_events (partnership_id, seq);
CREATE INDEX ix_audit_events_entity ON audit_events (partnership_id, entity_type, entity_id, seq);
CREATE INDEX ix_audit_events_client ON audit_events (partnership_id, client_id, seq);

-- Keys may expire; last use is recorded in batches (never a write per request).
ALTER TABLE clients ADD COLUMN expires_at TEXT NULL;
ALTER TABLE clients ADD COLUMN last_used_at TEXT NULL;

-- Browser origins (portals) allowed to call this partnership's routes, space-separated; none by default.
ALTER TABLE partnerships ADD COLUMN cors_origins TEXT NOT NULL DEFAULT '';
