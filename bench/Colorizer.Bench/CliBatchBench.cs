using System.Diagnostics;
using System.Globalization;
using System.Text;
using Colorizer.Core.Colorization;

namespace Colorizer.Bench;

/// <summary>One CLI run over a folder of copies of one photo.</summary>
internal sealed record CliBatchRun(string Label, int Images, string Output, double PerImageMs, double MedianGapMs, double FirstResultMs,
    double PeakRssMiB, double CpuSeconds, double ForwardMs, string LoadAverage);

/// <summary>
/// The per-image target as a user meets it: <c>colorizer colorize</c> over a folder, every image after the first.
/// Per image = (time of the last result line − time of the first) / (images − 1), read from outside the process; the
/// bare forward pass is timed in this process just before each run (median of 5, after a warm-up).
/// </summary>
internal static class CliBatchBench
{
    public static async Task<List<CliBatchRun>> RunAsync(string cliDll, string modelsDirectory, string work,
        IReadOnlyList<(string Label, string Photo, int Copies)> cases, bool quick)
    {
        var runs = new List<CliBatchRun>();
        using var engine = ColorizationEngine.Load(modelsDirectory, backend: BenchBackend.Backend);
        engine.WarmUp();
        foreach (var (label, photo, copies) in cases)
        {
            string folder = Path.Combine(work, $"batch-{label.Replace(' ', '-')}");
            Directory.CreateDirectory(folder);
            int count = quick ? Math.Min(copies, 4) : copies;
            for (int i = 0; i < count; i++)
                File.Copy(photo, Path.Combine(folder, $"photo-{i:00}{Path.GetExtension(photo)}"), overwrite: true);
            foreach (string? format in new[] { null, "png" })
            {
                var forward = new List<double>();
                for (int i = 0; i < 5; i++)
                {
                    var clock = Stopwatch.StartNew();
                    engine.WarmUp();
                    forward.Add(clock.Elapsed.TotalMilliseconds);
                }
                var run = await RunOnceAsync(cliDll, label, folder, count, format, modelsDirectory, Path.Combine(work, "batch-out"), Stats.Median(forward));
                Console.Error.WriteLine($"  CLI batch {label} × {count} ({run.Output}): {run.PerImageMs:0} ms per image, forward {run.ForwardMs:0} ms, peak {run.PeakRssMiB:0} MiB");
                runs.Add(run);
            }
        }
        return runs;
    }

    private static async Task<CliBatchRun> RunOnceAsync(string cliDll, string label, string folder, int count, string? format,
        string modelsDirectory, string outputDirectory, double forwardMs)
    {
        if (Directory.Exists(outputDirectory))
            Directory.Delete(outputDirectory, recursive: true);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var arguments = new List<string>
        {
            cliDll, "colorize", folder, "--output", outputDirectory, "--models", modelsDirectory, "--offline", "--backend", BenchBackend.Name,
        };
        if (format is not null)
            arguments.AddRange(["--format", format]);
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        string load = Load.Average();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stderr = process.StandardError.ReadToEndAsync();
        // VmHWM and the CPU ticks only grow: the last reading before the exit is the run's.
        double peak = 0, cpu = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                (peak, cpu) = Sample(process.Id, peak, cpu);
                await Task.Delay(20);
            }
        });
        var stamps = new List<double>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith('['))
                stamps.Add(clock.Elapsed.TotalMilliseconds);
        }
        await process.WaitForExitAsync();
        await sampling.CancelAsync();
        await sampler;
        string error = await stderr;
        if (process.ExitCode != 0 || stamps.Count != count)
            throw new InvalidOperationException($"The CLI exited with {process.ExitCode} after {stamps.Count} of {count} images:\n{error}");
        var gaps = stamps.Zip(stamps.Skip(1), (a, b) => b - a).ToList();
        return new CliBatchRun(label, count, format ?? "as input (JPEG)", (stamps[^1] - stamps[0]) / (count - 1), Stats.Median(gaps), stamps[0],
            peak, cpu, forwardMs, load);
    }

    private static (double PeakMiB, double CpuSeconds) Sample(int pid, double peak, double cpu)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    peak = Math.Max(peak, double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024);
            }
            // utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
            string[] fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            cpu = Math.Max(cpu, (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // The process is gone or going.
        }
        return (peak, cpu);
    }

    public static string Markdown(IReadOnlyList<CliBatchRun> runs, string cliNote)
    {
        var text = new StringBuilder();
        text.AppendLine("## CLI over a folder: the per-image cost");
        text.AppendLine();
        text.AppendLine($"{cliNote} over a folder of copies of one benchmark photo (JPEG, quality 90), once with the default output (a JPEG input " +
            "gives a JPEG, quality 95) and once with `--format png`. *Per image* = (time of the last result line − time of the first) / (images − 1), " +
            "measured from outside the process: every image after the first, with the CLI's pipeline overlapping one image's render, encode and write " +
            "with the next one's decode and forward pass. *Forward* is the bare forward pass at 224 (`ColorizationEngine.WarmUp`, median of 5) timed in " +
            "the bench process just before each run. *Peak RSS* is the CLI process's VmHWM; *CPU* its user + system time. Targets (issue 5): within 15 % " +
            "of the forward pass at 0.7 MP; at most 0.25 s above it at 12 MP; under 1 GB at 12 MP and 1.3 GB at 24 MP.");
        text.AppendLine();
        text.AppendLine("| photo | images | output | per image | forward | above forward | first result | peak RSS | CPU | load avg |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            double above = r.PerImageMs - r.ForwardMs;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} | {r.Images} | {r.Output} | {r.PerImageMs:0} ms | {r.ForwardMs:0} ms | {above:+0;−0} ms ({above / r.ForwardMs:+0%;−0%}) | " +
                $"{r.FirstResultMs / 1000:0.00} s | {r.PeakRssMiB:0} MiB | {r.CpuSeconds:0.0} s | {r.LoadAverage} |");
        }
        text.AppendLine();
        text.AppendLine("How these were reached and what was tried: [performance-notes.md](performance-notes.md).");
        return text.ToString();
    }
}
