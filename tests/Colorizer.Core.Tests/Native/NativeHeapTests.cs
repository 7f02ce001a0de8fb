using Colorizer.Core.Native;

namespace Colorizer.Core.Tests.Native;

public sealed class NativeHeapTests
{
    [Fact]
    public void CapArenas_OnGlibc_IsAcceptedUnlessMallocArenaMaxIsSet()
    {
        // An explicit MALLOC_ARENA_MAX wins (a soak run comparing caps sets one); otherwise glibc takes the cap.
        bool fromEnvironment = Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null;
        Assert.Equal(!fromEnvironment, NativeHeap.CapArenas());
    }

    [Fact]
    public void CapArenas_RefusesZero() => Assert.Throws<ArgumentOutOfRangeException>(() => NativeHeap.CapArenas(0));

    [Fact]
    public void ReturnLargeBuffersToTheSystem_OnGlibc_IsAccepted() => Assert.True(NativeHeap.ReturnLargeBuffersToTheSystem());
}
