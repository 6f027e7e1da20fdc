-- The audit trail, which is also the change feed: every mutation of a tenant's data writes one
-- event in the same transaction as the change. IDENTITY values can commit out of order under
-- concurrent writers, so the feed only returns rows whose rowversion is below
-- MIN_ACTIVE_ROWVERSION() (nothing older can still be in flight).
CREATE TABLE audit_events (
    seq            BIGINT IDENTITY(1, 1) NOT NULL,
    rv             ROWVERSION        NOT NULL,
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    at             DATETIMEOFFSET(7) NOT NULL,
    client_id      UNIQUEIDENTIFIER  NULL,
    action         NVARCHAR(32)      NOT NULL,
    op             NVARCHAR(8)       NOT NULL,
    entity_type    NVARCHAR(32)      NOT NULL,
    entity_id      UNIQUEIDENTIFIER  NOT NULL,
    changes        NVARCHAR(MAX)     NOT NULL,
    CONSTRAINT PK_audit_events PRIMARY KEY (seq),
    CONSTRAINT FK_audit_events_partnership FOREIGN KEY (partnership_id) REFERENCES partnerships (id)
);
CREATE INDEX ix_audit_events_partnership ON audit_events (partnership_id, seq);
CREATE INDEX ix_audit_events_entity ON audit_events (partnership_id, entity_type, entity_id, seq);
CREATE INDEX ix_audit_events_client ON audit_events (partnership_id, client_id, seq);

-- Keys may expire; last use is recorded in batches (never a write per request).
ALTER TABLE clients ADD expires_at DATETIMEOFFSET(7) NULL, last_used_at DATETIMEOFFSET(7) NULL;

-- Browser origins (portals) allowed to call this partnership's routes, space-separated; none by default.
ALTER TABLE partnerships ADD cors_origins NVARCHAR(2000) NOT NULL CONSTRAINT DF_partnerships_cors_origins DEFAULT N'';
