using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>The machine and software the numbers were taken on.</summary>
internal sealed record MachineInfo(
    string Cpu, string CpuFlags, int LogicalCores, double RamGiB, string Os, string Kernel, string DotNet,
    string OpenCv, string OpenCvSharp, int OpenCvThreads)
{
    // The CPU features that decide which kernels OpenCV and ONNX Runtime pick.
    private static readonly string[] InterestingFlags = ["avx2", "fma", "avx512f", "avx512_vnni", "amx_tile"];

    /// <summary>A package's version as this build resolved it, from the app's <c>.deps.json</c>.</summary>
    private static string? PackageVersion(string package)
    {
        foreach (string deps in Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json"))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(deps));
            if (!document.RootElement.TryGetProperty("libraries", out var libraries))
                continue;
            foreach (var library in libraries.EnumerateObject())
            {
                if (library.Name.StartsWith(package + "/", StringComparison.Ordinal))
                    return library.Name[(package.Length + 1)..];
            }
        }
        return null;
    }

    public static MachineInfo Collect()
    {
        string cpu = "unknown", flags = "";
        if (File.Exists("/proc/cpuinfo"))
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (cpu == "unknown" && line.StartsWith("model name", StringComparison.Ordinal))
                    cpu = line[(line.IndexOf(':') + 1)..].Trim();
                else if (flags.Length == 0 && line.StartsWith("flags", StringComparison.Ordinal))
                {
                    var present = line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
                    flags = string.Join(", ", InterestingFlags.Where(present.Contains));
                }
            }
        }

        double ram = double.NaN;
        if (File.Exists("/proc/meminfo"))
        {
            string? total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null)
                ram = double.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / (1024 * 1024);
        }

        string os = RuntimeInformation.OSDescription;
        if (File.Exists("/etc/os-release"))
        {
            string? pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null)
                os = pretty["PRETTY_NAME=".Length..].Trim('"');
        }

        string wrapper = PackageVersion("OpenCvSharp4") ?? "unknown";
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : RuntimeInformation.OSDescription;

        return new MachineInfo(cpu, flags, Environment.ProcessorCount, ram, os, kernel,
            RuntimeInformation.FrameworkDescription, Cv2.GetVersionString() ?? "unknown", wrapper, Cv2.GetNumThreads());
    }
}
