-- SQL Server twin of db/sqlite/0012_definitions_breaks.sql: an indicator's definition and source system, and the breaks in its
-- series. Cascade paths (error 1785): indicators -> indicator_breaks only.
ALTER TABLE indicators ADD definition NVARCHAR(4000) NULL, source_system NVARCHAR(200) NULL;
GO

CREATE TABLE indicator_breaks (
    partnership_id UNIQUEIDENTIFIER NOT NULL,
    indicator_id   UNIQUEIDENTIFIER NOT NULL,
    period         NVARCHAR(16)     NOT NULL,
    reason         NVARCHAR(1000)   NOT NULL,
    CONSTRAINT PK_indicator_breaks PRIMARY KEY (partnership_id, indicator_id, period),
    CONSTRAINT FK_indicator_breaks_indicators FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);
GO

ALTER SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.indicator_breaks,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.indicator_breaks;
GO
