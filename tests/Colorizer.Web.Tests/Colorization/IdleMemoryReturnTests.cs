using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Colorizer.Web.Tests.Colorization;

public sealed class IdleMemoryReturnTests
{
    [Fact]
    public async Task ALargeJobEnding_GivesMemoryBack_AtOnce()
    {
        var budget = new MemoryBudget(1L << 30);
        using var returns = new IdleMemoryReturn(budget, NullLogger<IdleMemoryReturn>.Instance);
        var other = await budget.AcquireAsync(1);
        (await budget.AcquireAsync(IdleMemoryReturn.LargeJobBytes)).Dispose();
        // Not idle (another lease holds a byte), yet the large job's garbage is collected.
        await Waiting.UntilAsync(() => returns.Count == 1, "memory given back after the large job", TimeSpan.FromSeconds(5));
        other.Dispose();
    }

    [Fact]
    public async Task SmallJobs_GiveMemoryBack_OnlyOnceTheBudgetStaysIdle()
    {
        var budget = new MemoryBudget(1L << 30);
        using var returns = new IdleMemoryReturn(budget, NullLogger<IdleMemoryReturn>.Instance);
        (await budget.AcquireAsync(1000)).Dispose();
        var lease = await budget.AcquireAsync(1000);
        await Task.Delay(IdleMemoryReturn.Delay + TimeSpan.FromSeconds(0.5));
        // Work arrived within the delay: nothing was done while it is held.
        Assert.Equal(0, returns.Count);
        lease.Dispose();
        await Waiting.UntilAsync(() => returns.Count == 1, "memory given back once idle", IdleMemoryReturn.Delay + TimeSpan.FromSeconds(5));
    }
}
