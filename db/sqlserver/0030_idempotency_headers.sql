-- SQL Server twin of db/sqlite/0030_idempotency_headers.sql: the headers a replay repeats (Location, ETag), as JSON.
ALTER TABLE idempotency_keys ADD response_headers NVARCHAR(4000) NULL;
