-- Indicators (KPIs) and their observations: the data partners push through the batch endpoint.
-- SQL Server twin of db/sqlite/0002_indicators.sql: same tables, columns, keys, foreign keys and
-- indexes; only the types differ (values DECIMAL(19,6): up to 6 decimal places, exact).
-- DbUp runs this script in one transaction; it needs no GO separators.
--
-- Cascade paths (error 1785): indicators -> observations -> observation_revisions and
-- indicators -> indicator_priorities <- priorities <- plans. indicator_priorities has two cascading
-- parents, but no table reaches it along two paths: indicators has no cascading parent (its
-- references to partnerships and agencies are NO ACTION), and plans reaches it only through
-- priorities. So every cascade of the SQLite script is kept as is.

CREATE TABLE indicators (
    partnership_id   UNIQUEIDENTIFIER  NOT NULL,
    id               UNIQUEIDENTIFIER  NOT NULL,
    code             NVARCHAR(32)      NOT NULL,
    name             NVARCHAR(200)     NOT NULL,
    description      NVARCHAR(4000)    NULL,
    unit             NVARCHAR(32)      NOT NULL,
    direction        NVARCHAR(32)      NOT NULL,
    frequency        NVARCHAR(32)      NOT NULL,
    source_agency_id UNIQUEIDENTIFIER  NOT NULL,
    baseline_value   DECIMAL(19,6)     NULL,
    baseline_period  NVARCHAR(16)      NULL,
    target_value     DECIMAL(19,6)     NULL,
    target_period    NVARCHAR(16)      NULL,
    version          BIGINT            NOT NULL CONSTRAINT DF_indicators_version DEFAULT 1,
    created_at       DATETIMEOFFSET(7) NOT NULL,
    updated_at       DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_indicators PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_indicators_code UNIQUE (partnership_id, code),
    CONSTRAINT FK_indicators_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id),
    CONSTRAINT FK_indicators_agencies FOREIGN KEY (partnership_id, source_agency_id) REFERENCES agencies (partnership_id, id)
);

CREATE TABLE indicator_priorities (
    partnership_id UNIQUEIDENTIFIER NOT NULL,
    indicator_id   UNIQUEIDENTIFIER NOT NULL,
    priority_id    UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT PK_indicator_priorities PRIMARY KEY (partnership_id, indicator_id, priority_id),
    CONSTRAINT FK_indicator_priorities_indicators FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE,
    CONSTRAINT FK_indicator_priorities_priorities FOREIGN KEY (partnership_id, priority_id) REFERENCES priorities (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_indicator_priorities_priority ON indicator_priorities (partnership_id, priority_id);

-- Clustered on the natural key: the batch push finds and writes rows by it.
CREATE TABLE observations (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    indicator_id   UNIQUEIDENTIFIER  NOT NULL,
    period         NVARCHAR(16)      NOT NULL,
    area           NVARCHAR(9)       NOT NULL,
    period_start   DATE              NOT NULL,
    period_end     DATE              NOT NULL,
    value          DECIMAL(19,6)     NOT NULL,
    status         NVARCHAR(16)      NOT NULL,
    note           NVARCHAR(4000)    NULL,
    client_id      UNIQUEIDENTIFIER  NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_observations_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_observations PRIMARY KEY CLUSTERED (partnership_id, indicator_id, period, area),
    CONSTRAINT FK_observations_indicators FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);

CREATE TABLE observation_revisions (
    partnership_id  UNIQUEIDENTIFIER  NOT NULL,
    id              UNIQUEIDENTIFIER  NOT NULL,
    indicator_id    UNIQUEIDENTIFIER  NOT NULL,
    period          NVARCHAR(16)      NOT NULL,
    area            NVARCHAR(9)       NOT NULL,
    old_value       DECIMAL(19,6)     NOT NULL,
    old_status      NVARCHAR(16)      NOT NULL,
    old_note        NVARCHAR(4000)    NULL,
    old_client_id   UNIQUEIDENTIFIER  NULL,
    old_recorded_at DATETIMEOFFSET(7) NOT NULL,
    new_value       DECIMAL(19,6)     NOT NULL,
    new_status      NVARCHAR(16)      NOT NULL,
    new_note        NVARCHAR(4000)    NULL,
    new_client_id   UNIQUEIDENTIFIER  NULL,
    revised_at      DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_observation_revisions PRIMARY KEY (partnership_id, id),
    CONSTRAINT FK_observation_revisions_observations FOREIGN KEY (partnership_id, indicator_id, period, area)
        REFERENCES observations (partnership_id, indicator_id, period, area) ON DELETE CASCADE
);
CREATE INDEX ix_observation_revisions_key ON observation_revisions (partnership_id, indicator_id, period, area, id);

-- Idempotency-Key records, per client, kept 24 h. The operator key has no partnership or client
-- row, so both columns hold the empty GUID for it; hence no foreign keys.
CREATE TABLE idempotency_keys (
    partnership_id        UNIQUEIDENTIFIER  NOT NULL,
    client_id             UNIQUEIDENTIFIER  NOT NULL,
    idempotency_key       NVARCHAR(255)     NOT NULL,
    request_hash          VARBINARY(32)     NOT NULL,
    status                NVARCHAR(16)      NOT NULL,
    response_status       INT               NULL,
    response_content_type NVARCHAR(200)     NULL,
    response_body         VARBINARY(MAX)    NULL,
    created_at            DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_idempotency_keys PRIMARY KEY (partnership_id, client_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);
