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

    [Fact]
    public void ReturnFreedMemory_OnGlibc_Runs()
    {
        // Blocks below the mmap threshold, freed: malloc_trim's answer (whether it returned any) depends on the rest of
        // the process, so only that it runs is checked.
        var blocks = Enumerable.Range(0, 64).Select(_ => System.Runtime.InteropServices.Marshal.AllocHGlobal(64 * 1024)).ToList();
        foreach (var block in blocks)
            System.Runtime.InteropServices.Marshal.FreeHGlobal(block);
        _ = NativeHeap.ReturnFreedMemory();
    }
}
