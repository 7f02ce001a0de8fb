using System.Globalization;

namespace Colorizer.Bench;

/// <summary>The machine's CPU counters from the first line of <c>/proc/stat</c> (all cores, in clock ticks).</summary>
internal readonly record struct CpuTicks(long Busy, long Total)
{
    public static CpuTicks Read()
    {
        if (!File.Exists("/proc/stat"))
            return default;
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
        string line = File.ReadLines("/proc/stat").First();
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        long total = fields.Sum();
        long idle = fields[3] + fields[4];
        return new CpuTicks(total - idle, total);
    }

    /// <summary>Busy share of all cores between two readings, 0 to 1 (NaN if nothing elapsed).</summary>
    public static double BusyShare(CpuTicks from, CpuTicks to) =>
        to.Total == from.Total ? double.NaN : (double)(to.Busy - from.Busy) / (to.Total - from.Total);

    /// <summary>User + system CPU time of process <paramref name="pid"/> from <c>/proc/pid/stat</c>, in clock ticks (1/100 s here).</summary>
    public static long ProcessTicks(int pid)
    {
        string path = $"/proc/{pid}/stat";
        if (!File.Exists(path))
            return 0;
        string text = File.ReadAllText(path);
        // The command name is in parentheses and may hold spaces: fields count from after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>VmRSS and VmHWM of process <paramref name="pid"/>, in MiB (NaN if unreadable).</summary>
    public static MemorySnapshot ProcessMemory(int pid)
    {
        string path = $"/proc/{pid}/status";
        double rss = double.NaN, peak = double.NaN;
        if (!File.Exists(path))
            return new MemorySnapshot(rss, peak);
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = KiB(line) / 1024;
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                peak = KiB(line) / 1024;
        }
        return new MemorySnapshot(rss, peak);
    }

    private static double KiB(string line) =>
        double.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
