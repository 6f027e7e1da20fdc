-- Indicators (KPIs) and their observations: the data partners push through the batch endpoint.
-- Every tenant-owned table carries partnership_id and every foreign key between tenant-owned
-- tables includes it. Decimals are TEXT (invariant culture, no trailing zeros): SQLite's
-- NUMERIC/REAL would lose digits. Periods are stored canonical ('2024-06', '2024-Q2', '2024',
-- '2024-25'); within one indicator (one frequency) canonical text sorts chronologically, and
-- period_start/period_end serve date-range queries.

CREATE TABLE indicators (
    partnership_id   TEXT NOT NULL REFERENCES partnerships (id),
    id               TEXT NOT NULL,
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NULL,
    unit             TEXT NOT NULL,
    direction        TEXT NOT NULL,
    frequency        TEXT NOT NULL,
    source_agency_id TEXT NOT NULL,
    baseline_value   TEXT NULL,
    baseline_period  TEXT NULL,
    target_value     TEXT NULL,
    target_period    TEXT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, code),
    FOREIGN KEY (partnership_id, source_agency_id) REFERENCES agencies (partnership_id, id)
);

CREATE TABLE indicator_priorities (
    partnership_id TEXT NOT NULL,
    indicator_id   TEXT NOT NULL,
    priority_id    TEXT NOT NULL,
    PRIMARY KEY (partnership_id, indicator_id, priority_id),
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, priority_id) REFERENCES priorities (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_indicator_priorities_priority ON indicator_priorities (partnership_id, priority_id);

-- The natural key is the primary key and the table is clustered on it (WITHOUT ROWID): the batch
-- push finds and writes rows by that key, and one B-tree per row keeps bulk inserts fast.
CREATE TABLE observations (
    partnership_id TEXT NOT NULL,
    indicator_id   TEXT NOT NULL,
    period         TEXT NOT NULL,
    area           TEXT NOT NULL,
    period_start   TEXT NOT NULL,
    period_end     TEXT NOT NULL,
    value          TEXT NOT NULL,
    status         TEXT NOT NULL,
    note           TEXT NULL,
    client_id      TEXT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, indicator_id, period, area),
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- A changed value keeps the old one here, never lost; who sent the old and the new value.
CREATE TABLE observation_revisions (
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
    new_value      TEXT NOT NULL,
    new_status     TEXT NOT NULL,
    new_note       TEXT NULL,
    new_client_id  TEXT NULL,
    revised_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    FOREIGN KEY (partnership_id, indicator_id, period, area)
        REFERENCES observations (partnership_id, indicator_id, period, area) ON DELETE CASCADE
);
CREATE INDEX ix_observation_revisions_key ON observation_revisions (partnership_id, indicator_id, period, area, id);

-- Idempotency-Key records, per client, kept 24 h. Not a tenant row in the FK sense: the operator
-- key has no partnership or client row, so both columns hold the empty GUID for it.
CREATE TABLE idempotency_keys (
    partnership_id        TEXT NOT NULL,
    client_id             TEXT NOT NULL,
    idempotency_key       TEXT NOT NULL,
    request_hash          BLOB NOT NULL,
    status                TEXT NOT NULL,
    response_status       INTEGER NULL,
    response_content_type TEXT NULL,
    response_body         BLOB NULL,
    created_at            TEXT NOT NULL,
    PRIMARY KEY (partnership_id, client_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);
