-- SQL Server twin of db/sqlite/0010_areas.sql: the partnership's areas, the area_check setting ('off' for partnerships that
-- existed before areas did; new ones are created 'strict'), and each partnership's own area. The script reads and writes
-- tenant rows, so it names the platform scope first (see 0006).
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
GO

CREATE TABLE areas (
    partnership_id UNIQUEIDENTIFIER  NOT NULL,
    id             UNIQUEIDENTIFIER  NOT NULL,
    code           NVARCHAR(9)       NOT NULL,
    name           NVARCHAR(200)     NOT NULL,
    type           NVARCHAR(32)      NOT NULL,
    parent_code    NVARCHAR(9)       NULL,
    valid_from     DATE              NULL,
    valid_to       DATE              NULL,
    version        BIGINT            NOT NULL CONSTRAINT DF_areas_version DEFAULT 1,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT PK_areas PRIMARY KEY (partnership_id, id),
    CONSTRAINT UQ_areas_code UNIQUE (partnership_id, code),
    CONSTRAINT FK_areas_partnerships FOREIGN KEY (partnership_id) REFERENCES partnerships (id),
    -- Self-reference; NO ACTION (areas are never deleted).
    CONSTRAINT FK_areas_parent FOREIGN KEY (partnership_id, parent_code) REFERENCES areas (partnership_id, code)
);
CREATE INDEX ix_areas_parent ON areas (partnership_id, parent_code);

ALTER TABLE partnerships ADD area_check NVARCHAR(16) NOT NULL CONSTRAINT DF_partnerships_area_check DEFAULT N'off';
GO

INSERT INTO areas (partnership_id, id, code, name, type, parent_code, valid_from, valid_to, version, created_at, updated_at)
SELECT p.id, NEWID(), p.area_code, p.name, N'local_authority', NULL, NULL, NULL, 1, p.created_at, p.created_at
FROM partnerships p;
GO

ALTER SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.areas,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.areas;
GO
