-- A push job's data-quality warnings (as a synchronous push answers them), paged like its conflicts, and the push's failOn.
ALTER TABLE jobs ADD COLUMN n_warnings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN fail_on TEXT NULL;

CREATE TABLE job_warnings (
    partnership_id TEXT    NOT NULL,
    job_id         TEXT    NOT NULL,
    n              INTEGER NOT NULL,
    row_index      INTEGER NOT NULL,
    code           TEXT    NOT NULL,
    message        TEXT    NOT NULL,
    expected       TEXT    NULL,
    rule_code      TEXT    NULL,
    PRIMARY KEY (partnership_id, job_id, n),
    FOREIGN KEY (partnership_id, job_id) REFERENCES jobs (partnership_id, id) ON DELETE CASCADE
);
