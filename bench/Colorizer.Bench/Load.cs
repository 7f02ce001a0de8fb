namespace Colorizer.Bench;

/// <summary>How busy the shared machine was: every timing in the report carries it.</summary>
internal static class Load
{
    /// <summary>The 1-minute load average, as /proc/loadavg gives it ("?" where there is none).</summary>
    public static string Average() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
}
