using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Csp.Api.Infrastructure;

public static class Ids
{
    private static readonly Lock Gate = new();
    private static long lastMs;
    private static int counter;

    /// <summary>
    /// UUIDv7 with a 12-bit counter in rand_a (RFC 9562 §6.2, method 1), so ids made by one process
    /// are strictly increasing even within a millisecond: lists ordered by id are in creation order.
    /// </summary>
    public static Guid New()
    {
        long ms;
        int seq;
        lock (Gate)
        {
            ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (ms > lastMs)
            {
                lastMs = ms;
                counter = RandomNumberGenerator.GetInt32(0, 0x400); // leave head-room for the counter
            }
            else if (++counter > 0xFFF)
            {
                lastMs++; // counter exhausted: borrow the next millisecond
                counter = 0;
            }
            ms = lastMs;
            seq = counter;
        }

        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, ms << 16);
        bytes[6] = (byte)(0x70 | (seq >> 8));
        bytes[7] = (byte)seq;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
