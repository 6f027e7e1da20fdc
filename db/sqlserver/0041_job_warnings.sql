-- SQL Server twin of db/sqlite/0041_job_warnings.sql: a push job's data-quality warnings (as a synchronous push answers them),
-- paged like its conflicts, and the push's failOn. The scope is named first as in every script that touches tenant tables (see 0006).
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
GO

ALTER TABLE jobs ADD n_warnings INT NOT NULL CONSTRAINT DF_jobs_n_warnings DEFAULT 0;
ALTER TABLE jobs ADD fail_on NVARCHAR(16) NULL;
GO

CREATE TABLE job_warnings (
    partnership_id UNIQUEIDENTIFIER NOT NULL,
    job_id         UNIQUEIDENTIFIER NOT NULL,
    n              INT              NOT NULL,
    row_index      INT              NOT NULL,
    code           NVARCHAR(64)     NOT NULL,
    message        NVARCHAR(4000)   NOT NULL,
    expected       DECIMAL(19,6)    NULL,
    rule_code      NVARCHAR(64)     NULL,
    CONSTRAINT PK_job_warnings PRIMARY KEY (partnership_id, job_id, n),
    CONSTRAINT FK_job_warnings_jobs FOREIGN KEY (partnership_id, job_id) REFERENCES jobs (partnership_id, id) ON DELETE CASCADE
);
GO

ALTER SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.job_warnings,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.job_warnings;
GO
