using System.Globalization;

namespace Colorizer.Bench;

/// <summary>Resident memory of this process from <c>/proc/self/status</c> (Linux), in MiB.</summary>
internal readonly record struct MemorySnapshot(double RssMiB, double PeakMiB);

internal static class ProcStatus
{
    private const string StatusPath = "/proc/self/status";

    /// <summary>VmRSS (resident now) and VmHWM (the high-water mark of resident memory).</summary>
    public static MemorySnapshot Read()
    {
        double rss = double.NaN, peak = double.NaN;
        foreach (string line in File.ReadLines(StatusPath))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = KiB(line) / 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                peak = KiB(line) / 1024;
        }
        return new MemorySnapshot(rss, peak);
    }

    /// <summary>
    /// Resets VmHWM to the current RSS by writing 5 to <c>/proc/self/clear_refs</c> (Linux 4.0+), so a later
    /// reading shows the peak of what ran since, not the model load's. False if the kernel refused.
    /// </summary>
    public static bool TryResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        var after = Read();
        // After a reset the high-water mark is the current RSS (give or take pages touched since).
        return after.PeakMiB - after.RssMiB < 2;
    }

    private static double KiB(string line)
    {
        // "VmRSS:	  123456 kB"
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return double.Parse(parts[1], CultureInfo.InvariantCulture);
    }
}
