-- Observations by area, then period: the whole-plan document and performance ask for each indicator's latest value in
-- one area (and the periods it is compared with). The primary key leads with the period, so SQLite read every
-- observation of the indicator to answer; this index seeks straight to (indicator, area, latest period).
CREATE INDEX ix_observations_area_period ON observations (partnership_id, indicator_id, area, period);
