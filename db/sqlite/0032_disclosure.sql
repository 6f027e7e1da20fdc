-- An indicator's disclosure policy: how its small numbers are published below the partnership's own area. none (as they are),
-- nhs_small_numbers (0 stays 0, 1-7 withheld, 8 and over rounded to 5) or suppress_below (1 up to the threshold withheld).
-- Existing indicators publish as before (none).
ALTER TABLE indicators ADD COLUMN disclosure_rule TEXT NOT NULL DEFAULT 'none'
    CHECK (disclosure_rule IN ('none', 'nhs_small_numbers', 'suppress_below'));
ALTER TABLE indicators ADD COLUMN disclosure_threshold INTEGER NULL;
