-- SQL Server twin of db/sqlite/0011_targets.sql: targets per (area, period), the single target of each indicator moved into
-- them for the partnership's area, and the tolerance of "near". The script moves tenant rows, so it names the platform
-- scope first (see 0006). Cascade paths (error 1785): indicators -> indicator_targets only; areas are NO ACTION.
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
GO

CREATE TABLE indicator_targets (
    partnership_id UNIQUEIDENTIFIER NOT NULL,
    indicator_id   UNIQUEIDENTIFIER NOT NULL,
    area           NVARCHAR(9)      NOT NULL,
    period         NVARCHAR(16)     NOT NULL,
    value          DECIMAL(19,6)    NOT NULL,
    CONSTRAINT PK_indicator_targets PRIMARY KEY (partnership_id, indicator_id, area, period),
    CONSTRAINT FK_indicator_targets_indicators FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE,
    CONSTRAINT FK_indicator_targets_areas FOREIGN KEY (partnership_id, area) REFERENCES areas (partnership_id, code)
);
GO

INSERT INTO indicator_targets (partnership_id, indicator_id, area, period, value)
SELECT i.partnership_id, i.id, p.area_code, i.target_period, i.target_value
FROM indicators i JOIN partnerships p ON p.id = i.partnership_id
WHERE i.target_value IS NOT NULL AND i.target_period IS NOT NULL;
GO

ALTER TABLE indicators DROP COLUMN target_value, COLUMN target_period;
ALTER TABLE indicators ADD near_tolerance_percent DECIMAL(9,4) NOT NULL CONSTRAINT DF_indicators_near_tolerance_percent DEFAULT 10;
GO

ALTER SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.indicator_targets,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.indicator_targets;
GO
