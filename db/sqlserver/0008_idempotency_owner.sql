-- SQL Server twin of db/sqlite/0008_idempotency_owner.sql: who claimed an idempotency record (instance and run), and the
-- write's result stored in the write's own transaction.
ALTER TABLE idempotency_keys ADD owner_instance NVARCHAR(200) NULL, owner_run UNIQUEIDENTIFIER NULL, result_json NVARCHAR(MAX) NULL;
