-- SQL Server twin of db/sqlite/0034_publication.sql: a partnership's public release settings (off for existing partnerships),
-- which areas an indicator's disclosure rule applies to, and the sign-off of a period's values for publication.
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
GO

ALTER TABLE partnerships ADD
    release_require_signoff BIT NOT NULL CONSTRAINT DF_partnerships_release_require_signoff DEFAULT 0,
    release_time NVARCHAR(5) NOT NULL CONSTRAINT DF_partnerships_release_time DEFAULT N'09:30',
    release_time_zone NVARCHAR(64) NOT NULL CONSTRAINT DF_partnerships_release_time_zone DEFAULT N'Europe/London',
    release_embargo_days INT NOT NULL CONSTRAINT DF_partnerships_release_embargo_days DEFAULT 0;

ALTER TABLE indicators ADD disclosure_applies_to NVARCHAR(20) NOT NULL
    CONSTRAINT DF_indicators_disclosure_applies_to DEFAULT N'below_partnership'
    CONSTRAINT CK_indicators_disclosure_applies_to CHECK (disclosure_applies_to IN (N'below_partnership', N'all_areas'));
GO

CREATE TABLE observation_signoffs (
    partnership_id     UNIQUEIDENTIFIER  NOT NULL,
    indicator_id       UNIQUEIDENTIFIER  NOT NULL,
    period             NVARCHAR(16)      NOT NULL,
    signed_off_at      DATETIMEOFFSET(7) NOT NULL,
    signed_off_by      UNIQUEIDENTIFIER  NULL,
    release_at         DATETIMEOFFSET(7) NOT NULL,
    withdrawn_at       DATETIMEOFFSET(7) NULL,
    withdrawn_by       UNIQUEIDENTIFIER  NULL,
    withdrawal_reason  NVARCHAR(4000)    NULL,
    version            BIGINT            NOT NULL CONSTRAINT DF_observation_signoffs_version DEFAULT 1,
    CONSTRAINT PK_observation_signoffs PRIMARY KEY (partnership_id, indicator_id, period),
    CONSTRAINT FK_observation_signoffs_indicators FOREIGN KEY (partnership_id, indicator_id)
        REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_observation_signoffs_release ON observation_signoffs (partnership_id, release_at);
GO

ALTER SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.observation_signoffs,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.observation_signoffs;
GO
