-- SQL Server twin of db/sqlite/0033_revision_reason.sql: why a value changed ("CONNECT re-extract"), as the push row or the
-- retraction said, kept on the revision it made. NULL when none was given, and on every revision made before this script.
ALTER TABLE observation_revisions ADD reason NVARCHAR(4000) NULL;
