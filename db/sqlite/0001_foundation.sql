-- Foundation: partnerships (tenants), agencies, API clients, plans -> priorities -> commitments.
-- Every tenant-owned table carries partnership_id and every foreign key between tenant-owned
-- tables includes it, so a row of one partnership can never point at a row of another.
-- Types: ids are lower-case UUID text, dates 'yyyy-MM-dd', timestamps RFC 3339 UTC text.

CREATE TABLE partnerships (
    id          TEXT NOT NULL PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    area_code   TEXT NOT NULL,
    public_read INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE agencies (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    id             TEXT NOT NULL,
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, code)
);

CREATE TABLE clients (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    id             TEXT NOT NULL,
    name           TEXT NOT NULL,
    agency_id      TEXT NULL,
    scopes         TEXT NOT NULL,
    key_id         TEXT NOT NULL UNIQUE,
    key_hash       BLOB NOT NULL,
    revoked_at     TEXT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);

CREATE TABLE plans (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    id             TEXT NOT NULL,
    title          TEXT NOT NULL,
    period_start   TEXT NOT NULL,
    period_end     TEXT NOT NULL,
    status         TEXT NOT NULL,
    approved_on    TEXT NULL,
    approved_by    TEXT NULL,
    supersedes_id  TEXT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    FOREIGN KEY (partnership_id, supersedes_id) REFERENCES plans (partnership_id, id)
);
CREATE INDEX ix_plans_status_period ON plans (partnership_id, status, period_start);

CREATE TABLE priorities (
    partnership_id TEXT NOT NULL,
    id             TEXT NOT NULL,
    plan_id        TEXT NOT NULL,
    code           TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NULL,
    lead_agency_id TEXT NULL,
    position       INTEGER NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, plan_id, code),
    FOREIGN KEY (partnership_id, plan_id) REFERENCES plans (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, lead_agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX ix_priorities_plan ON priorities (partnership_id, plan_id, position);

CREATE TABLE commitments (
    partnership_id TEXT NOT NULL,
    id             TEXT NOT NULL,
    priority_id    TEXT NOT NULL,
    code           TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NULL,
    lead_agency_id TEXT NULL,
    start_date     TEXT NULL,
    due_date       TEXT NULL,
    status         TEXT NOT NULL,
    latest_update_id TEXT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, priority_id, code),
    FOREIGN KEY (partnership_id, priority_id) REFERENCES priorities (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, lead_agency_id) REFERENCES agencies (partnership_id, id)
);
CREATE INDEX ix_commitments_priority ON commitments (partnership_id, priority_id, id);

CREATE TABLE commitment_partners (
    partnership_id TEXT NOT NULL,
    commitment_id  TEXT NOT NULL,
    agency_id      TEXT NOT NULL,
    PRIMARY KEY (partnership_id, commitment_id, agency_id),
    FOREIGN KEY (partnership_id, commitment_id) REFERENCES commitments (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, agency_id) REFERENCES agencies (partnership_id, id)
);

CREATE TABLE commitment_updates (
    partnership_id TEXT NOT NULL,
    id             TEXT NOT NULL,
    commitment_id  TEXT NOT NULL,
    status         TEXT NOT NULL,
    commentary     TEXT NOT NULL,
    client_id      TEXT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    FOREIGN KEY (partnership_id, commitment_id) REFERENCES commitments (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_commitment_updates_commitment ON commitment_updates (partnership_id, commitment_id, id);
