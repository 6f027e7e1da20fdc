-- SQL Server twin of db/sqlite/0007_observations_by_area.sql: observations by (indicator, area, period), so the latest
-- value of an indicator in one area (the whole-plan document, performance) is a seek, not a scan of every period.
CREATE INDEX ix_observations_area_period ON observations (partnership_id, indicator_id, area, period);
