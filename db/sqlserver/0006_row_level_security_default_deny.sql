-- Row-level security denies by default. 0005 let a connection with no session context see and write every row, for
-- the paths that were not yet one partnership's unit of work. Every path now names its scope when it opens a connection
-- (api/Infrastructure/Data/Db.cs), so a connection that names none sees no row of any tenant-owned table and may write
-- none (the block predicates fail its INSERT, UPDATE and DELETE).
--
-- Access is granted by the session context alone:
--   * SESSION_CONTEXT(N'PartnershipId') equal to the row's partnership: one partnership's unit of work
--     (Db.OpenAsync(tenant) / Db.BeginWriteAsync(tenant), which also set N'CspScope' to N'partnership'; both keys are
--     read-only on the connection, so it can neither move to another partnership nor become a platform connection);
--   * SESSION_CONTEXT(N'CspScope') = N'platform': the platform's own cross-tenant work (Db.OpenPlatformAsync /
--     Db.BeginPlatformWriteAsync): authentication (the tenant is not yet known), the operator's partnership list, the
--     key-usage flush, idempotency records, the Development demo seed's emptiness check, the readiness probe.
-- A NULL context (no key set) matches neither branch: an equality with NULL is never true.
--
-- The platform marker is not a secret: any session of the service's login can set it. Row-level security here is the
-- guard against a query that forgot its partnership_id filter, not against a caller who can run arbitrary SQL.
--
-- Migrations run as the database owner on a connection with no session context, and row-level security applies to the
-- owner too: from this script on, a migration that reads or writes rows of a tenant-owned table must first run
--     EXEC sp_set_session_context @key = N'CspScope', @value = N'platform';
-- (NOT read-only: DbUp runs every script of an upgrade on one connection). Schema changes (CREATE, ALTER, indexes,
-- constraints) need nothing, except that a column a predicate reads cannot be altered while the policy exists (0005).
-- No script up to this one changes data; a test (Sql/RowLevelSecurityTests) fails when a
-- later script touches a tenant-owned table without the marker.
--
-- A schemabound function that a security policy uses cannot be altered, so the policy is dropped, the predicate
-- altered and the policy created again, every table as in 0005, in this one script (DbUp runs it in one transaction:
-- no moment without the policy is ever committed). A table added by a later migration must
-- ALTER SECURITY POLICY rls.partnership_isolation ADD ... ; a test (Sql/RowLevelSecurityTests) fails when the policy in
-- force after all migrations does not filter and block every tenant-owned table.
DROP SECURITY POLICY rls.partnership_isolation;
GO

ALTER FUNCTION rls.partnership_access(@partnership_id UNIQUEIDENTIFIER)
RETURNS TABLE
WITH SCHEMABINDING
AS
RETURN
    SELECT 1 AS access
    WHERE @partnership_id = CAST(SESSION_CONTEXT(N'PartnershipId') AS UNIQUEIDENTIFIER)
       OR CAST(SESSION_CONTEXT(N'CspScope') AS NVARCHAR(16)) = N'platform';
GO

CREATE SECURITY POLICY rls.partnership_isolation
    ADD FILTER PREDICATE rls.partnership_access(id) ON dbo.partnerships,
    ADD BLOCK PREDICATE rls.partnership_access(id) ON dbo.partnerships,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.agencies,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.agencies,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.clients,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.clients,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.plans,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.plans,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.priorities,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.priorities,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.commitments,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.commitments,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.commitment_partners,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.commitment_partners,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.commitment_updates,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.commitment_updates,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.indicators,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.indicators,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.indicator_priorities,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.indicator_priorities,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.observations,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.observations,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.observation_revisions,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.observation_revisions,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.idempotency_keys,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.idempotency_keys,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.audit_events,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.audit_events,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.frameworks,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.frameworks,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.outcomes,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.outcomes,
    ADD FILTER PREDICATE rls.partnership_access(partnership_id) ON dbo.alignments,
    ADD BLOCK PREDICATE rls.partnership_access(partnership_id) ON dbo.alignments
    WITH (STATE = ON, SCHEMABINDING = ON);
GO
