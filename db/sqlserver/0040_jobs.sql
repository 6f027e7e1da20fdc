-- SQL Server twin of db/sqlite/0040_jobs.sql: asynchronous jobs, their waiting rows (job_chunks) and their conflicts.
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
GO

CREATE TABLE jobs (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    client_id      UNIQUEIDENTIFIER  NULL,
    agency_id      UNIQUEIDENTIFIER  NULL,
    kind           NVARCHAR(32)      NOT NULL,
    state          NVARCHAR(16)      NOT NULL,
    dry_run        BIT               NOT NULL,
    atomic         BIT               NOT NULL,
    force_final    BIT               NOT NULL,
    media_type     NVARCHAR(64)      NOT NULL,
    rows_total     INT               NOT NULL,
    rows_done      INT               NOT NULL CONSTRAINT DF_jobs_rows_done DEFAULT 0,
    chunks_total   INT               NOT NULL,
    chunks_done    INT               NOT NULL CONSTRAINT DF_jobs_chunks_done DEFAULT 0,
    n_created      INT               NOT NULL CONSTRAINT DF_jobs_n_created DEFAULT 0,
    n_updated      INT               NOT NULL CONSTRAINT DF_jobs_n_updated DEFAULT 0,
    n_deleted      INT               NOT NULL CONSTRAINT DF_jobs_n_deleted DEFAULT 0,
    n_unchanged    INT               NOT NULL CONSTRAINT DF_jobs_n_unchanged DEFAULT 0,
    n_rejected     INT               NOT NULL CONSTRAINT DF_jobs_n_rejected DEFAULT 0,
    n_conflicts    INT               NOT NULL CONSTRAINT DF_jobs_n_conflicts DEFAULT 0,
    status         NVARCHAR(16)      NULL,
    error          NVARCHAR(4000)    NULL,
    attempts       INT               NOT NULL CONSTRAINT DF_jobs_attempts DEFAULT 0,
    lease_until    DATETIMEOFFSET(7) NULL,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    started_at     DATETIMEOFFSET(7) NULL,
    finished_at    DATETIMEOFFSET(7) NULL,
    CONSTRAINT PK_jobs PRIMARY KEY (partnership_id, id),
    CONSTRAINT FK_jobs_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id)
);
CREATE INDEX ix_jobs_state ON jobs (state, created_at);
CREATE INDEX ix_jobs_finished ON jobs (finished_at);

CREATE TABLE job_chunks (
    partnership_id UNIQUEIDENTIFIER NOT NULL,
    job_id         UNIQUEIDENTIFIER NOT NULL,
    seq            INT              NOT NULL,
    first_index    INT              NOT NULL,
    row_count      INT              NOT NULL,
    body           NVARCHAR(MAX)    NOT NULL,
    CONSTRAINT PK_job_chunks PRIMARY KEY (partnership_id, job_id, seq),
    CONSTRAINT FK_job_chunks_jobs FOREIGN KEY (partnership_id, job_id) REFERENCES jobs (partnership_id, id) ON DELETE CASCADE
);

CREATE TABLE job_conflicts (
    partnership_id UNIQUEIDENTIFIER NOT NULL,
    job_id         UNIQUEIDENTIFIER NOT NULL,
    n              INT              NOT NULL,
    row_index      INT              NOT NULL,
    field          NVARCHAR(32)     NOT NULL,
    code           NVARCHAR(64)     NOT NULL,
    message        NVARCHAR(4000)   NOT NULL,
    CONSTRAINT PK_job_conflicts PRIMARY KEY (partnership_id, job_id, n),
    CONSTRAINT FK_job_conflicts_jobs FOREIGN KEY (partnership_id, job_id) REFERENCES jobs (partnership_id, id) ON DELETE CASCADE
);
GO

ALTER SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.jobs,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.jobs,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.job_chunks,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.job_chunks,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.job_conflicts,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.job_conflicts;
GO
