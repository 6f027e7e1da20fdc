-- An indicator's disclosure policy: how its small numbers are published below the partnership's own area. none (as they are),
-- nhs_small_numbers (0 stays 0, 1-7 withheld, 8 and over rounded to 5) or suppress_below (1 up to the threshold withheld).
-- Existing indicators publish as before (none).
ALTER TABLE indicators ADD disclosure_rule NVARCHAR(20) NOT NULL CONSTRAINT DF_indicators_disclosure_rule DEFAULT 'none'
    CONSTRAINT CK_indicators_disclosure_rule CHECK (disclosure_rule IN ('none', 'nhs_small_numbers', 'suppress_below')),
    disclosure_threshold INT NULL;
