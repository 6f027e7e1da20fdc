-- Targets per area and period: an indicator's target is a trajectory, one value per (area, period), so a ward is judged
-- against the ward's target and never the borough's. The single target each indicator had becomes the partnership-area
-- entry of its period. near_tolerance_percent is how close to a target (in % of it) counts as "near"; 10 as before.
CREATE TABLE indicator_targets (
    partnership_id TEXT NOT NULL,
    indicator_id   TEXT NOT NULL,
    area           TEXT NOT NULL,
    period         TEXT NOT NULL,
    value          TEXT NOT NULL,
    PRIMARY KEY (partnership_id, indicator_id, area, period),
    FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE,
    FOREIGN KEY (partnership_id, area) REFERENCES areas (partnership_id, code)
);

INSERT INTO indicator_targets (partnership_id, indicator_id, area, period, value)
SELECT i.partnership_id, i.id, p.area_code, i.target_period, i.target_value
FROM indicators i JOIN partnerships p ON p.id = i.partnership_id
WHERE i.target_value IS NOT NULL AND i.target_period IS NOT NULL;

ALTER TABLE indicators DROP COLUMN target_value;
ALTER TABLE indicators DROP COLUMN target_period;
ALTER TABLE indicators ADD COLUMN near_tolerance_percent TEXT NOT NULL DEFAULT '10';
