-- Row-level security is a SQL Server feature (db/sqlserver/0005_row_level_security.sql). SQLite has none:
-- an embedded database serves one process, and the partnership_id filter every query carries is its
-- guard. This script keeps the numbers of both folders the same; it changes nothing.
SELECT 1;
