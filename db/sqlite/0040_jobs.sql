-- Asynchronous jobs (a push too big to answer at once, or sent with Prefer: respond-async). A job's rows wait in
-- job_chunks, in order, until the job runner has applied them; a chunk's writes, its conflicts and the job's progress
-- commit together, so a job resumed after a crash starts at the first chunk not yet applied. Finished jobs are kept 7 days.
CREATE TABLE jobs (
    partnership_id TEXT    NOT NULL REFERENCES partnerships (id),
    id             TEXT    NOT NULL,
    client_id      TEXT    NULL,
    agency_id      TEXT    NULL,
    kind           TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    dry_run        INTEGER NOT NULL,
    atomic         INTEGER NOT NULL,
    force_final    INTEGER NOT NULL,
    media_type     TEXT    NOT NULL,
    rows_total     INTEGER NOT NULL,
    rows_done      INTEGER NOT NULL DEFAULT 0,
    chunks_total   INTEGER NOT NULL,
    chunks_done    INTEGER NOT NULL DEFAULT 0,
    n_created      INTEGER NOT NULL DEFAULT 0,
    n_updated      INTEGER NOT NULL DEFAULT 0,
    n_deleted      INTEGER NOT NULL DEFAULT 0,
    n_unchanged    INTEGER NOT NULL DEFAULT 0,
    n_rejected     INTEGER NOT NULL DEFAULT 0,
    n_conflicts    INTEGER NOT NULL DEFAULT 0,
    status         TEXT    NULL,
    error          TEXT    NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    lease_until    TEXT    NULL,
    created_at     TEXT    NOT NULL,
    started_at     TEXT    NULL,
    finished_at    TEXT    NULL,
    PRIMARY KEY (partnership_id, id)
);
CREATE INDEX ix_jobs_state ON jobs (state, created_at);
CREATE INDEX ix_jobs_finished ON jobs (finished_at);

CREATE TABLE job_chunks (
    partnership_id TEXT    NOT NULL,
    job_id         TEXT    NOT NULL,
    seq            INTEGER NOT NULL,
    first_index    INTEGER NOT NULL,
    row_count      INTEGER NOT NULL,
    body           TEXT    NOT NULL,
    PRIMARY KEY (partnership_id, job_id, seq),
    FOREIGN KEY (partnership_id, job_id) REFERENCES jobs (partnership_id, id) ON DELETE CASCADE
);

CREATE TABLE job_conflicts (
    partnership_id TEXT    NOT NULL,
    job_id         TEXT    NOT NULL,
    n              INTEGER NOT NULL,
    row_index      INTEGER NOT NULL,
    field          TEXT    NOT NULL,
    code           TEXT    NOT NULL,
    message        TEXT    NOT NULL,
    PRIMARY KEY (partnership_id, job_id, n),
    FOREIGN KEY (partnership_id, job_id) REFERENCES jobs (partnership_id, id) ON DELETE CASCADE
);
