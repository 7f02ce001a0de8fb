using System.Runtime.InteropServices;

namespace Colorizer.Cli;

/// <summary>Tunes glibc's allocator for a process that allocates and frees image-sized native buffers in turn.</summary>
internal static partial class NativeHeap
{
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD

    /// <summary>
    /// Serves allocations of 1 MB and more (OpenCV's image buffers) straight from the OS, so each is returned when
    /// freed. Otherwise glibc raises its threshold after the first big free and keeps later buffers in its heaps,
    /// where fragmentation across the pipeline's threads adds ~100 MB of peak RSS per 12-megapixel batch. A no-op
    /// off glibc.
    /// </summary>
    public static void ReturnLargeBuffersToTheSystem()
    {
        if (!OperatingSystem.IsLinux())
            return;
        try
        {
            _ = mallopt(MmapThreshold, 1 << 20);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, for one): its defaults stand.
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);
}
