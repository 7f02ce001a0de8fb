using System.Runtime.InteropServices;

namespace Colorizer.Core.Native;

/// <summary>
/// The few libc calls the process needs at start. .NET keeps its own copy of the environment on Unix, so
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> never reaches native libraries such as OpenCV.
/// </summary>
internal static partial class LibC
{
    /// <summary>glibc's <c>M_ARENA_MAX</c>.</summary>
    public const int ArenaMax = -8;

    /// <summary>glibc's <c>M_MMAP_THRESHOLD</c>.</summary>
    public const int MmapThreshold = -3;

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, uint who, int priority);

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>glibc's <c>malloc_trim(0)</c>: returns the free memory at the top of the heaps and in their free pages to the system; false off glibc.</summary>
    public static bool TrimNativeHeap()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return MallocTrim(0) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The variable as native code sees it, or null when unset (or off Unix).</summary>
    public static string? GetEnvironmentVariable(string name)
    {
        if (OperatingSystem.IsWindows())
            return Environment.GetEnvironmentVariable(name);
        IntPtr value = GetEnv(name);
        return value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);
    }

    /// <summary>Sets the variable for native code and for .NET's own copy alike.</summary>
    public static void SetEnvironmentVariable(string name, string value)
    {
        if (!OperatingSystem.IsWindows() && SetEnv(name, value, 1) != 0)
            throw new InvalidOperationException($"setenv({name}) failed: errno {Marshal.GetLastPInvokeError()}.");
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>glibc's <c>mallopt</c>; false when it refused, or when the C library is not glibc (musl has none).</summary>
    public static bool TrySetMallocOption(int parameter, int value)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return MallOpt(parameter, value) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sets the calling thread's nice value (on Linux, <c>setpriority(PRIO_PROCESS, 0, …)</c> applies to the calling
    /// thread only); false where it is refused or not Linux. Raising it needs no privilege; lowering it again does.
    /// </summary>
    public static bool TrySetCurrentThreadNice(int nice)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            return SetPriority(0, 0, nice) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }
}
