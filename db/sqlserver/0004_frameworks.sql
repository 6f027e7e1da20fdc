-- Strategy frameworks, their outcomes, and alignments of priorities, commitments and indicators.
-- SQL Server twin of db/sqlite/0004_frameworks.sql: same tables, columns, keys, checks and
-- (filtered) unique indexes; only the types differ, and one cascade (below).
-- DbUp runs this script in one transaction; it needs no GO separators.
--
-- Cascade paths (error 1785): frameworks -> outcomes -> alignments, commitments -> alignments and
-- indicators -> alignments cascade. priorities -> alignments must NOT cascade: priorities already
-- reach alignments through priorities -> commitments -> alignments, and two paths from one table
-- are refused. The API deletes a priority's alignments itself before deleting the priority (on
-- both engines, so the audit trail has their tombstones); the SQLite cascade is only a safety net.
-- The frameworks self-reference is NO ACTION (a cascading self-reference is a cycle).

CREATE TABLE frameworks (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    code           NVARCHAR(32)      NOT NULL,
    version_no     BIGINT            NOT NULL,
    title          NVARCHAR(200)     NOT NULL,
    publisher      NVARCHAR(200)     NULL,
    adopted_on     DATE              NULL,
    url            NVARCHAR(2000)    NULL,
    supersedes_id  UNIQUEIDENTIFIER  NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_frameworks_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_frameworks PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_frameworks_code_version UNIQUE (partnership_id, code, version_no),
    CONSTRAINT FK_frameworks_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id),
    CONSTRAINT FK_frameworks_supersedes FOREIGN KEY (partnership_id, supersedes_id) REFERENCES frameworks (partnership_id, id)
);
-- A version is superseded at most once: versions form a chain, not a tree.
CREATE UNIQUE INDEX ux_frameworks_supersedes ON frameworks (partnership_id, supersedes_id) WHERE supersedes_id IS NOT NULL;

CREATE TABLE outcomes (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    framework_id   UNIQUEIDENTIFIER  NOT NULL,
    code           NVARCHAR(32)      NOT NULL,
    title          NVARCHAR(200)     NOT NULL,
    description    NVARCHAR(4000)    NULL,
    position       BIGINT            NOT NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_outcomes_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_outcomes PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_outcomes_framework_code UNIQUE (partnership_id, framework_id, code),
    CONSTRAINT FK_outcomes_frameworks FOREIGN KEY (partnership_id, framework_id) REFERENCES frameworks (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_outcomes_framework ON outcomes (partnership_id, framework_id, position);

CREATE TABLE alignments (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    outcome_id     UNIQUEIDENTIFIER  NOT NULL,
    priority_id    UNIQUEIDENTIFIER  NULL,
    commitment_id  UNIQUEIDENTIFIER  NULL,
    indicator_id   UNIQUEIDENTIFIER  NULL,
    rationale      NVARCHAR(4000)    NOT NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_alignments_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_alignments PRIMARY KEY (partnership_id, id),
    CONSTRAINT CK_alignments_one_target CHECK ((CASE WHEN priority_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN commitment_id IS NULL THEN 0 ELSE 1 END)
         + (CASE WHEN indicator_id IS NULL THEN 0 ELSE 1 END) = 1),
    CONSTRAINT FK_alignments_outcomes FOREIGN KEY (partnership_id, outcome_id) REFERENCES outcomes (partnership_id, id) ON DELETE CASCADE,
    -- NO ACTION: see the cascade note at the top.
    CONSTRAINT FK_alignments_priorities FOREIGN KEY (partnership_id, priority_id) REFERENCES priorities (partnership_id, id),
    CONSTRAINT FK_alignments_commitments FOREIGN KEY (partnership_id, commitment_id) REFERENCES commitments (partnership_id, id) ON DELETE CASCADE,
    CONSTRAINT FK_alignments_indicators FOREIGN KEY (partnership_id, indicator_id) REFERENCES indicators (partnership_id, id) ON DELETE CASCADE
);
CREATE INDEX ix_alignments_outcome ON alignments (partnership_id, outcome_id);
CREATE UNIQUE INDEX ux_alignments_priority ON alignments (partnership_id, priority_id, outcome_id) WHERE priority_id IS NOT NULL;
CREATE UNIQUE INDEX ux_alignments_commitment ON alignments (partnership_id, commitment_id, outcome_id) WHERE commitment_id IS NOT NULL;
CREATE UNIQUE INDEX ux_alignments_indicator ON alignments (partnership_id, indicator_id, outcome_id) WHERE indicator_id IS NOT NULL;
