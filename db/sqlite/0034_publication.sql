-- Safe publication (issue 16). A partnership's public release: whether public outputs wait for sign-off, and when a signed-off
-- period is released (a local time, its time zone, and days of embargo after sign-off). Off for existing partnerships.
ALTER TABLE partnerships ADD COLUMN release_require_signoff INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partnerships ADD COLUMN release_time TEXT NOT NULL DEFAULT '09:30';
ALTER TABLE partnerships ADD COLUMN release_time_zone TEXT NOT NULL DEFAULT 'Europe/London';
ALTER TABLE partnerships ADD COLUMN release_embargo_days INTEGER NOT NULL DEFAULT 0;

-- Which areas an indicator's disclosure rule applies to: those below the partnership's own area, or every area.
ALTER TABLE indicators ADD COLUMN disclosure_applies_to TEXT NOT NULL DEFAULT 'below_partnership'
    CHECK (disclosure_applies_to IN ('below_partnership', 'all_areas'));

-- A period's values of an indicator signed off for publication, separate from each row's provisional/final status. Withdrawing
-- keeps the row with who, when and why; signing off again replaces it.
CREATE TABLE observation_signoffs (
    partnership_id     TEXT    NOT NULL,
    indicator_id       TEXT    NOT NULL,
    period             TEXT    NOT NULL,
    signed_off_at      TEXT    NOT NULL,
    signed_off_by      TEXT    NULL,      -- the client's id; null for the operator's platform key
    release_at         TEXT    NOT NULL,
    withdrawn_at       TEXT    NULL,
    withdrawn_by       TEXT    NULL,
    withdrawal_reason  TEXT    NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (partnership_id, indicator_id, period),
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_observation_signoffs_release ON observation_signoffs (partnership_id, release_at);
