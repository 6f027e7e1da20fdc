-- SQL Server twin of db/sqlite/0050_data_quality.sql: an indicator's bounds, outlier threshold, large-change percent and due
-- rule, and the partnership's validation rules. New columns only (no tenant rows are read or moved), but the scope is named
-- first as in every script that touches tenant tables (see 0006).
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
GO

ALTER TABLE indicators ADD bounds_min DECIMAL(19,6) NULL,
    bounds_max DECIMAL(19,6) NULL,
    outlier_threshold DECIMAL(9,4) NOT NULL CONSTRAINT DF_indicators_outlier_threshold DEFAULT 3.5,
    large_change_percent DECIMAL(9,4) NULL,
    due_days INT NULL,
    due_for_wards BIT NOT NULL CONSTRAINT DF_indicators_due_for_wards DEFAULT 0;
GO

CREATE TABLE validation_rules (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    code           NVARCHAR(32)      NOT NULL,
    description    NVARCHAR(1000)    NULL,
    left_side      NVARCHAR(1000)    NOT NULL,
    operator       NVARCHAR(32)      NULL,
    right_side     NVARCHAR(1000)    NULL,
    aggregate      NVARCHAR(32)      NULL,
    missing_value  NVARCHAR(32)      NOT NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_validation_rules_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_validation_rules PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_validation_rules_code UNIQUE (partnership_id, code),
    CONSTRAINT FK_validation_rules_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id)
);
GO

ALTER SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.validation_rules,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.validation_rules;
GO
