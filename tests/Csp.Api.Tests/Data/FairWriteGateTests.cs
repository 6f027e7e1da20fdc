using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Tests.Data;

/// <summary>SQLite's write turn, shared between partnerships by the writer time each has used.</summary>
public sealed class FairWriteGateTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid();

    [Fact]
    public async Task A_partnership_that_has_used_less_goes_before_the_queue_of_one_that_used_more_and_each_keeps_its_order()
    {
        var gate = new FairWriteGate();
        Assert.True(await gate.WaitAsync(A, TimeSpan.FromSeconds(5), CancellationToken.None));
        var order = new List<string>();
        async Task Turn(Guid key, string name)
        {
            Assert.True(await gate.WaitAsync(key, TimeSpan.FromSeconds(5), CancellationToken.None));
            lock (order) order.Add(name);
            gate.Release();
        }
        var a1 = Turn(A, "a1");
        var a2 = Turn(A, "a2");
        await Task.Delay(20);
        var b1 = Turn(B, "b1");
        await Task.Delay(20);

        gate.Release(); // A's first turn ends: B has used nothing, so B goes first, then A's in their order.
        await Task.WhenAll(a1, a2, b1);

        Assert.Equal(["b1", "a1", "a2"], order);
    }

    [Fact]
    public async Task A_wait_that_times_out_leaves_the_queue_and_the_turn_still_passes_on()
    {
        var gate = new FairWriteGate();
        Assert.True(await gate.WaitAsync(A, TimeSpan.FromSeconds(5), CancellationToken.None));

        Assert.False(await gate.WaitAsync(B, TimeSpan.FromMilliseconds(50), CancellationToken.None));
        var next = gate.WaitAsync(A, TimeSpan.FromSeconds(5), CancellationToken.None);
        gate.Release();

        Assert.True(await next);
        gate.Release();
        Assert.True(await gate.WaitAsync(B, TimeSpan.FromSeconds(1), CancellationToken.None)); // free again
    }
}
