-- SQL Server twin of db/sqlite/0020_plan_summary.sql: the plan's summary and the strategic assessment's key findings.
ALTER TABLE plans ADD summary NVARCHAR(MAX) NULL, assessment_findings NVARCHAR(MAX) NULL;
