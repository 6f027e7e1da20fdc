-- Row-level security is a SQL Server feature: db/sqlserver/0006_row_level_security_default_deny.sql makes its policy deny a
-- connection that names no scope. SQLite has none (an embedded database serves one process, and the partnership_id
-- filter every query carries is its guard); Db's scoped methods cost nothing here. This script keeps the numbers of both
-- folders the same; it changes nothing.
SELECT 1;
