using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Tests.Infrastructure;

/// <summary>Writes made straight to the database, as another process or a concurrent write of the partnership would make them.</summary>
public static class BehindTheApi
{
    /// <summary>Stores a June 2024 value of the indicator in the area (provisional, unless <paramref name="status"/> says), with its
    /// audit event, as every write of the partnership's rows is audited (so the partnership's change token moves).</summary>
    public static async Task StoreJune2024Async(WriteUnit w, Guid partnershipId, Guid indicatorId, string area, decimal value,
        string status = "provisional")
    {
        var args = new
        {
            p = partnershipId.ToString(), i = indicatorId.ToString(), area, value = value.ToString(System.Globalization.CultureInfo.InvariantCulture), status,
        };
        await w.ExecuteAsync("""
            INSERT INTO observations (partnership_id, indicator_id, period, area, period_start, period_end, value, status, note,
                                      client_id, version, created_at, updated_at)
            VALUES (@p, @i, '2024-06', @area, '2024-06-01', '2024-06-30', @value, @status, NULL, NULL, 1,
                    '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z')
            """, args);
        await w.ExecuteAsync("""
            INSERT INTO audit_events (partnership_id, at, client_id, action, op, entity_type, entity_id, changes)
            VALUES (@p, '2026-01-01T00:00:00.0000000Z', NULL, 'update', 'update', 'observation', @i, '{}')
            """, args);
    }
}
