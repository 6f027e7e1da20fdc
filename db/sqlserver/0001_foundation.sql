-- Foundation: partnerships (tenants), agencies, API clients, plans -> priorities -> commitments.
-- SQL Server twin of db/sqlite/0001_foundation.sql: same tables, columns, keys, unique
-- constraints, foreign keys and indexes; only the types differ.
-- Every tenant-owned table carries partnership_id and every foreign key between tenant-owned
-- tables includes it, so a row of one partnership can never point at a row of another.
-- Types: ids UNIQUEIDENTIFIER, dates DATE, timestamps DATETIMEOFFSET(7) (written as UTC),
-- flags BIT, version/position BIGINT (SQLite INTEGER is 64-bit).
-- DbUp runs this script in one transaction; it needs no GO separators.
--
-- Cascade paths (SQL Server error 1785 forbids cycles and multiple cascade paths): the only
-- ON DELETE CASCADE chain is plans -> priorities -> commitments -> {commitment_partners,
-- commitment_updates}. Each table has at most one cascading parent and the chain has no cycle
-- (the plans self-reference and every reference to partnerships or agencies is NO ACTION),
-- so every cascade of the SQLite script is kept as is.

CREATE TABLE partnerships (
    id          UNIQUEIDENTIFIER  NOT NULL,
    slug        NVARCHAR(63)      NOT NULL,
    name        NVARCHAR(200)     NOT NULL,
    area_code   NVARCHAR(9)       NOT NULL,
    public_read BIT               NOT NULL CONSTRAINT DF_partnerships_public_read DEFAULT 0,
    version     BIGINT            NOT NULL CONSTRAINT DF_partnerships_version DEFAULT 1,
    created_at  DATETIMEOFFSET(7) NOT NULL,
    updated_at  DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_partnerships PRIMARY KEY (id),
    CONSTRAINT UQ_partnerships_slug UNIQUE (slug)
);

CREATE TABLE agencies (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    code           NVARCHAR(32)      NOT NULL,
    name           NVARCHAR(200)     NOT NULL,
    kind           NVARCHAR(32)      NOT NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_agencies_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_agencies PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_agencies_code UNIQUE (partnership_id, code),
    CONSTRAINT FK_agencies_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id)
);

CREATE TABLE clients (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    name           NVARCHAR(200)     NOT NULL,
    agency_id      UNIQUEIDENTIFIER  NULL,
    scopes         NVARCHAR(200)     NOT NULL,
    key_id         NVARCHAR(64)      NOT NULL,
    key_hash       VARBINARY(32)     NOT NULL,
    revoked_at     DATETIMEOFFSET(7) NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_clients_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_clients PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_clients_key_id UNIQUE (key_id),
    CONSTRAINT FK_clients_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id),
    -- agency_id is nullable: as in SQLite, the key is not checked while any of its columns is NULL.
    CONSTRAINT FK_clients_agencies FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);

CREATE TABLE plans (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    title          NVARCHAR(200)     NOT NULL,
    period_start   DATE              NOT NULL,
    period_end     DATE              NOT NULL,
    status         NVARCHAR(32)      NOT NULL,
    approved_on    DATE              NULL,
    approved_by    NVARCHAR(200)     NULL,
    supersedes_id  UNIQUEIDENTIFIER  NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_plans_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_plans PRIMARY KEY (partnership_id, id),
    CONSTRAINT FK_plans_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id),
    -- Self-reference; NO ACTION (a cascading self-reference would be a cycle, error 1785).
    CONSTRAINT FK_plans_supersedes FOREIGN KEY (partnership_id, supersedes_id) REFERENCES plans (partnership_id, id)
);
CREATE INDEX ix_plans_status_period ON plans (partnership_id, status, period_start);

CREATE TABLE priorities (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    plan_id        UNIQUEIDENTIFIER  NOT NULL,
    code           NVARCHAR(32)      NOT NULL,
    title          NVARCHAR(200)     NOT NULL,
    description    NVARCHAR(4000)    NULL,
    lead_agency_id UNIQUEIDENTIFIER  NULL,
    position       BIGINT            NOT NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_priorities_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_priorities PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_priorities_plan_code UNIQUE (partnership_id, plan_id, code),
    CONSTRAINT FK_priorities_plans FOREIGN KEY (partnership_id, plan_id) REFERENCES plans (partnership_id, id) ON DELETE CASCADE,
    CONSTRAINT FK_priorities_agencies FOREIGN KEY (partnership_id, lead_agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX ix_priorities_plan ON priorities (partnership_id, plan_id, position);

CREATE TABLE commitments (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    priority_id    UNIQUEIDENTIFIER  NOT NULL,
    code           NVARCHAR(32)      NOT NULL,
    title          NVARCHAR(200)     NOT NULL,
    description    NVARCHAR(4000)    NULL,
    lead_agency_id UNIQUEIDENTIFIER  NULL,
    start_date     DATE              NULL,
    due_date       DATE              NULL,
    status         NVARCHAR(32)      NOT NULL,
    latest_update_id UNIQUEIDENTIFIER NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_commitments_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_commitments PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_commitments_priority_code UNIQUE (partnership_id, priority_id, code),
    CONSTRAINT FK_commitments_priorities FOREIGN KEY (partnership_id, priority_id) REFERENCES priorities (partnership_id, id) ON DELETE CASCADE,
    CONSTRAINT FK_commitments_agencies FOREIGN KEY (partnership_id, lead_agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX ix_commitments_priority ON commitments (partnership_id, priority_id, id);

CREATE TABLE commitment_partners (
    partnership_id UNIQUEIDENTIFIER NOT NULL,
    commitment_id  UNIQUEIDENTIFIER NOT NULL,
    agency_id      UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT PK_commitment_partners PRIMARY KEY (partnership_id, commitment_id, agency_id),
    CONSTRAINT FK_commitment_partners_commitments FOREIGN KEY (partnership_id, commitment_id) REFERENCES commitments (partnership_id, id) ON DELETE CASCADE,
    CONSTRAINT FK_commitment_partners_agencies FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);

CREATE TABLE commitment_updates (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    commitment_id  UNIQUEIDENTIFIER  NOT NULL,
    status         NVARCHAR(32)      NOT NULL,
    commentary     NVARCHAR(4000)    NOT NULL,
    client_id      UNIQUEIDENTIFIER  NULL,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_commitment_updates PRIMARY KEY (partnership_id, id),
    CONSTRAINT FK_commitment_updates_commitments FOREIGN KEY (partnership_id, commitment_id) REFERENCES commitments (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_commitment_updates_commitment ON commitment_updates (partnership_id, commitment_id, id);
