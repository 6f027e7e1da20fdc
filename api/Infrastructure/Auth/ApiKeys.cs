using System.Security.Cryptography;
using System.Text;

namespace Csp.Api.Infrastructure.Auth;

/// <summary>
/// Keys look like <c>csp_{keyId}_{secret}</c>: the recognisable <c>csp_</c> prefix lets secret
/// scanners find leaked keys, the key id finds the stored row without revealing anything, and only
/// a SHA-256 hash of the whole key is stored and compared in constant time.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "csp_";
    public const string HeaderName = "X-Api-Key";

    public static (string Key, string KeyId, byte[] Hash) Generate()
    {
        var keyId = Base32(RandomNumberGenerator.GetBytes(10));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=').Replace('+', '-').Replace('/', '-');
        var key = $"{Prefix}{keyId}_{secret}";
        return (key, keyId, Hash(key));
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The key id of a well-formed key, or null.</summary>
    public static string? KeyIdOf(string key)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length > 200) return null;
        var end = key.IndexOf('_', Prefix.Length);
        return end > Prefix.Length ? key[Prefix.Length..end] : null;
    }

    public static bool Matches(string presented, ReadOnlySpan<byte> storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
