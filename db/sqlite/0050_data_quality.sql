-- Data quality: what the batch push warns about, and when an indicator's figures are due.
-- bounds_min/bounds_max: the plausible range (outside_bounds); outlier_threshold: the modified z-score above which a value is an
-- outlier against the area's last 24 periods (0 turns it off); large_change_percent: the change from the previous period that is
-- worth a warning (NULL: none); due_days: days after a period ends by which its value is due (NULL: not chased); due_for_wards:
-- 1 when a value is also due for each ward, not only for the partnership's area.
ALTER TABLE indicators ADD COLUMN bounds_min TEXT NULL;
ALTER TABLE indicators ADD COLUMN bounds_max TEXT NULL;
ALTER TABLE indicators ADD COLUMN outlier_threshold TEXT NOT NULL DEFAULT '3.5';
ALTER TABLE indicators ADD COLUMN large_change_percent TEXT NULL;
ALTER TABLE indicators ADD COLUMN due_days INTEGER NULL;
ALTER TABLE indicators ADD COLUMN due_for_wards INTEGER NOT NULL DEFAULT 0;

-- Validation rules across indicators, for the same period and area: left operator right, where each side is a sum of indicator
-- codes (stored as text, e.g. 'KNIFE-INJURY' or 'A + B'); or an aggregate (children_sum_equals_parent: the wards of an area add
-- up to the area) over the left side alone.
CREATE TABLE validation_rules (
    partnership_id TEXT NOT NULL REFERENCES partnerships (id),
    id             TEXT NOT NULL,
    code           TEXT NOT NULL,
    description    TEXT NULL,
    left_side      TEXT NOT NULL,
    operator       TEXT NULL,
    right_side     TEXT NULL,
    aggregate      TEXT NULL,
    missing_value  TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (partnership_id, id),
    UNIQUE (partnership_id, code)
);
