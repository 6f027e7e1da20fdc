-- What an indicator counts, in plain words (definition) and where its figures come from (source_system), and the breaks in its
-- series: a period from which values are not comparable with earlier ones (a new recording system, a counting-rule change),
-- so performance does not call a change across it an improvement or a worsening.
ALTER TABLE indicators ADD COLUMN definition TEXT NULL;
ALTER TABLE indicators ADD COLUMN source_system TEXT NULL;

CREATE TABLE indicator_breaks (
    partnership_id TEXT NOT NULL,
    indicator_id   TEXT NOT NULL,
    period         TEXT NOT NULL,
    reason         TEXT NOT NULL,
    PRIMARY KEY (partnership_id, indicator_id, period),
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);
