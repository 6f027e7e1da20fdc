-- SQL Server twin of db/sqlite/0013_progress_and_approval.sql: a progress update's author, the date its status describes and
-- how much is done; a plan approval's minute; approved_by values that were API client ids cleared. The script writes tenant
-- rows, so it names the platform scope first (see 0006).
EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
GO

ALTER TABLE commitment_updates ADD author NVARCHAR(200) NULL, as_at DATE NULL,
    percent_complete BIGINT NULL CONSTRAINT CK_commitment_updates_percent_complete CHECK (percent_complete BETWEEN 0 AND 100);
ALTER TABLE plans ADD approval_minute_url NVARCHAR(2000) NULL;
GO

UPDATE commitment_updates SET as_at = CAST(SWITCHOFFSET(created_at, '+00:00') AS DATE);
GO

ALTER TABLE commitment_updates ALTER COLUMN as_at DATE NOT NULL;
GO

UPDATE p SET approved_by = NULL
FROM plans p
WHERE p.approved_by = N'platform'
   OR EXISTS (SELECT 1 FROM clients c WHERE c.partnership_id = p.partnership_id AND c.id = TRY_CONVERT(UNIQUEIDENTIFIER, p.approved_by));
GO
