namespace Colorizer.Core.Native;

/// <summary>Tunes glibc's allocator from inside the process, so no launcher has to set <c>MALLOC_*</c> variables.</summary>
public static class NativeHeap
{
    /// <summary>The arena cap the server was soak-tested with (<c>MALLOC_ARENA_MAX=2</c>, <c>scripts/soak.sh</c>).</summary>
    public const int ServerArenaCap = 2;

    /// <summary>
    /// Caps glibc's malloc arenas. By default glibc grows up to eight per core, one per contending thread, and under
    /// the server's mixed load each keeps freed image buffers: resident memory then climbed for minutes, and stayed
    /// flat with two. Call it first thing in <c>Main</c>; arenas made before stay, but are few. A
    /// <c>MALLOC_ARENA_MAX</c> or <c>GLIBC_TUNABLES=glibc.malloc.arena_max=…</c> set in the environment wins (glibc
    /// has read it already), so a soak run can still compare caps. Returns false when nothing was set: off glibc, or with that variable set.
    /// </summary>
    public static bool CapArenas(int arenas = ServerArenaCap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        string? variable = LibC.GetEnvironmentVariable("MALLOC_ARENA_MAX");
        string? tunables = LibC.GetEnvironmentVariable("GLIBC_TUNABLES");
        if (variable is not null || tunables?.Contains("glibc.malloc.arena_max", StringComparison.Ordinal) == true)
        {
            ArenaCapNote = $"glibc's arena cap is left to the environment ({(variable is not null ? $"MALLOC_ARENA_MAX={variable}" : $"GLIBC_TUNABLES={tunables}")}).";
            return false;
        }
        bool set = LibC.TrySetMallocOption(LibC.ArenaMax, arenas);
        ArenaCapNote = set ? $"glibc's malloc arenas capped at {arenas}." : "glibc's arena cap could not be set (not glibc).";
        return set;
    }

    /// <summary>What <see cref="CapArenas"/> did, for the log once logging exists; null when it was not called.</summary>
    public static string? ArenaCapNote { get; private set; }

    /// <summary>
    /// Serves allocations of 1 MB and more (OpenCV's image buffers) straight from the OS, so each is returned when
    /// freed. Otherwise glibc raises its threshold after the first big free and keeps later buffers in its heaps,
    /// where fragmentation across a pipeline's threads adds ~100 MB of peak RSS per 12-megapixel batch. Returns false
    /// off glibc.
    /// </summary>
    public static bool ReturnLargeBuffersToTheSystem() => LibC.TrySetMallocOption(LibC.MmapThreshold, 1 << 20);

    /// <summary>
    /// Gives the memory glibc keeps free in its heaps back to the system (<c>malloc_trim(0)</c>): after a burst of
    /// large images the freed blocks below the mmap threshold (the network's activations, small buffers) otherwise
    /// stay resident. It walks every arena, so call it seldom (when idle, or after a large job at most once a second), not
    /// after every job. Returns false off glibc.
    /// </summary>
    public static bool ReturnFreedMemory() => LibC.TrimNativeHeap();
}
