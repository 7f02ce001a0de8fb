using System.Diagnostics;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Colorizer.Bench;

/// <summary>Forward time and memory at one render size. Milliseconds and MiB.</summary>
/// <summary>
/// <see cref="Ms"/>/<see cref="CpuMs"/>: <c>engine.PredictAsync</c> on the decoded photo (network input + forward pass);
/// <see cref="ZeroMs"/>/<see cref="ZeroCpuMs"/>: <c>engine.WarmUp(size)</c>, a forward pass on an all-zero input.
/// </summary>
internal sealed record RenderSizePoint(int Size, double WarmUpMs, List<double> Ms, List<double> CpuMs, List<double> ZeroMs, List<double> ZeroCpuMs,
    double RssMiB, double PeakMiB, bool PeakReset);

/// <summary>N images in one forward pass: wall time of the whole pass, per sample.</summary>
internal sealed record BatchPoint(int Images, double WarmUpMs, List<double> Ms, List<double> CpuMs, double MaxDiffFirstImage);

/// <summary>Forward time with OpenCV's thread count set to <see cref="Requested"/> (−1: OpenCV's default).</summary>
internal sealed record ThreadPoint(int Requested, int Reported, List<double> Ms, List<double> CpuMs);

/// <summary>Images colorized (forward passes) by two nets at once with one thread each, against one net with two threads.</summary>
/// <summary>Per round (the two ways alternate, twice): wall and CPU milliseconds for <see cref="Images"/> images.</summary>
internal sealed record ThroughputResult(int Images, List<double> ConcurrentMs, List<double> ConcurrentCpuMs, int ThreadsInWorkers,
    List<double> SequentialMs, List<double> SequentialCpuMs, int SequentialThreads);

/// <summary>One precision target against the FP32 CPU path.</summary>
internal sealed record PrecisionResult
{
    public required string Name { get; init; }
    public required int TargetValue { get; init; }
    public bool Ran { get; set; }
    public string? Error { get; set; }
    public List<double> Ms { get; init; } = [];
    public List<double> Fp32Ms { get; init; } = [];
    public double MaxAbsDiff { get; set; } = double.NaN;
    public double MeanAbsDiff { get; set; } = double.NaN;
    public double MaxAbsLogit { get; set; } = double.NaN;
    /// <summary>OpenCV's own warnings from the child's standard error, filled in by the parent.</summary>
    public List<string> Messages { get; init; } = [];
}

/// <summary>Everything the explore child measured (render sizes, batches, threads).</summary>
internal sealed record ExploreResult
{
    public string LoadAverageStart { get; set; } = "";
    public string LoadAverageEnd { get; set; } = "";
    public string ParallelFramework { get; set; } = "";
    public int DefaultThreads { get; set; }
    public List<RenderSizePoint> RenderSizes { get; init; } = [];
    public List<BatchPoint> Batches { get; init; } = [];
    public List<ThreadPoint> Threads { get; init; } = [];
    public ThroughputResult? Throughput { get; set; }
    public List<PrecisionResult> Precision { get; init; } = [];
    public List<string> TargetNames { get; init; } = [];
    public double ElapsedMs { get; set; }
}

/// <summary>
/// The experiments of the explore part, in a child process of its own: the forward pass's cost at each render size
/// (through the engine), several images in one pass, OpenCV's thread count (through nets loaded directly).
/// Precision targets run in a child each (<see cref="RunPrecision"/>): an unsupported target may abort the process.
/// </summary>
internal static class ExploreRun
{
    public static readonly int[] RenderSizes = [224, 256, 320, 384, 448, 512];
    public static readonly int[] BatchSizes = [1, 2, 4];
    private const int InputSize = 224;

    public static ExploreResult Run(string modelsDirectory, string photoPath, int samples)
    {
        var clock = Stopwatch.StartNew();
        var result = new ExploreResult
        {
            LoadAverageStart = Load.Average(),
            DefaultThreads = Cv2.GetNumThreads(),
            ParallelFramework = ParallelFramework(),
            TargetNames = Enum.GetValues<Target>().Select(t => $"{t} = {(int)t}").ToList(),
        };

        using (var engine = ColorizationEngine.Load(modelsDirectory, backend: BenchBackend.Backend))
        using (var decoded = ImageDecoder.Decode(File.ReadAllBytes(photoPath)))
        {
            engine.WarmUp(InputSize);
            foreach (int size in RenderSizes)
                result.RenderSizes.Add(MeasureRenderSize(engine, decoded, size, samples));
        }
        Console.Error.WriteLine("  render sizes: " + string.Join(", ", result.RenderSizes.Select(p => $"{p.Size}: {Stats.Median(p.Ms):0} ms")));

        using var grey = Cv2.ImRead(photoPath, ImreadModes.Grayscale);
        using var input = RawNet.Input(grey, InputSize);
        using var net = RawNet.Load(modelsDirectory);
        float[] single;
        using (var blob = RawNet.Blob(input))
            single = RawNet.Forward(net, blob);
        foreach (int count in BatchSizes)
            result.Batches.Add(MeasureBatch(net, input, count, samples, single));
        Console.Error.WriteLine("  batches: " + string.Join(", ", result.Batches.Select(b => $"N={b.Images}: {Stats.Median(b.Ms) / b.Images:0} ms/image")));

        foreach (int threads in new[] { 1, 2, -1 })
            result.Threads.Add(MeasureThreads(net, input, threads, samples));
        Cv2.SetNumThreads(result.DefaultThreads);
        Console.Error.WriteLine("  threads: " + string.Join(", ", result.Threads.Select(t => $"{t.Requested}→{t.Reported}: {Stats.Median(t.Ms):0} ms")));

        using (var second = RawNet.Load(modelsDirectory))
            result.Throughput = MeasureThroughput(net, second, input, samples, result.DefaultThreads);
        Cv2.SetNumThreads(result.DefaultThreads);

        result.LoadAverageEnd = Load.Average();
        result.ElapsedMs = clock.Elapsed.TotalMilliseconds;
        return result;
    }

    private static RenderSizePoint MeasureRenderSize(ColorizationEngine engine, DecodedImage photo, int size, int samples)
    {
        Collect();
        bool reset = ProcStatus.TryResetPeak();
        var clock = Stopwatch.StartNew();
        engine.PredictAsync(photo, size).GetAwaiter().GetResult();
        double warmUp = clock.Elapsed.TotalMilliseconds;
        var ms = new List<double>();
        var cpu = new List<double>();
        var zeroMs = new List<double>();
        var zeroCpu = new List<double>();
        for (int i = 0; i < samples; i++)
        {
            var (wall, cpuMs) = Timed(() => engine.PredictAsync(photo, size).GetAwaiter().GetResult());
            ms.Add(wall);
            cpu.Add(cpuMs);
            (wall, cpuMs) = Timed(() => engine.WarmUp(size));
            zeroMs.Add(wall);
            zeroCpu.Add(cpuMs);
        }
        var memory = ProcStatus.Read();
        return new RenderSizePoint(size, warmUp, ms, cpu, zeroMs, zeroCpu, memory.RssMiB, memory.PeakMiB, reset);
    }

    private static BatchPoint MeasureBatch(Net net, Mat input, int count, int samples, float[] single)
    {
        using var blob = RawNet.Blob(input, count);
        var clock = Stopwatch.StartNew();
        float[] logits = RawNet.Forward(net, blob);
        double warmUp = clock.Elapsed.TotalMilliseconds;
        if (logits.Length != single.Length * count)
            throw new InvalidOperationException($"A batch of {count} gave {logits.Length} logits, expected {single.Length * count}.");
        // The first image of the batch against the same image alone: batching must not change the result.
        double maxDiff = 0;
        for (int i = 0; i < single.Length; i++)
            maxDiff = Math.Max(maxDiff, Math.Abs(logits[i] - single[i]));
        var (ms, cpu) = Sampled(samples, () => RawNet.Forward(net, blob));
        return new BatchPoint(count, warmUp, ms, cpu, maxDiff);
    }

    // Wall and CPU milliseconds of `samples` runs of the forward pass.
    private static (List<double> Ms, List<double> Cpu) Sampled(int samples, Action forward)
    {
        var ms = new List<double>();
        var cpu = new List<double>();
        for (int i = 0; i < samples; i++)
        {
            var (wall, cpuMs) = Timed(forward);
            ms.Add(wall);
            cpu.Add(cpuMs);
        }
        return (ms, cpu);
    }

    private static ThreadPoint MeasureThreads(Net net, Mat input, int threads, int samples)
    {
        Cv2.SetNumThreads(threads);
        int reported = Cv2.GetNumThreads();
        using var blob = RawNet.Blob(input);
        RawNet.Forward(net, blob);
        var (ms, cpu) = Sampled(samples, () => RawNet.Forward(net, blob));
        return new ThreadPoint(threads, reported, ms, cpu);
    }

    // Two images at a time on two nets with one OpenCV thread each, against the same number of images one after the
    // other on one net with two threads. Each worker sets its thread count itself (with OpenMP the setting is per thread).
    private static ThroughputResult MeasureThroughput(Net first, Net second, Mat input, int samples, int defaultThreads)
    {
        int perWorker = Math.Max(2, samples);
        int workerThreads = 0;
        void Worker(Net net)
        {
            Cv2.SetNumThreads(1);
            Interlocked.Exchange(ref workerThreads, Cv2.GetNumThreads());
            using var blob = RawNet.Blob(input);
            for (int i = 0; i < perWorker; i++)
                RawNet.Forward(net, blob);
        }

        // Warm both nets first (a net's first pass allocates its buffers).
        using (var blob = RawNet.Blob(input))
        {
            RawNet.Forward(first, blob);
            RawNet.Forward(second, blob);
        }
        var result = new ThroughputResult(2 * perWorker, [], [], 0, [], [], 0);
        int sequentialThreads = 0;
        // Two rounds, each way in turn, so that a burst of other work on the shared machine does not decide the comparison alone.
        for (int round = 0; round < 2; round++)
        {
            Cv2.SetNumThreads(Math.Max(2, defaultThreads));
            sequentialThreads = Cv2.GetNumThreads();
            using (var blob = RawNet.Blob(input))
            {
                var (sequentialMs, sequentialCpu) = Timed(() =>
                {
                    for (int i = 0; i < 2 * perWorker; i++)
                        RawNet.Forward(first, blob);
                });
                result.SequentialMs.Add(sequentialMs);
                result.SequentialCpuMs.Add(sequentialCpu);
            }

            var (concurrentMs, concurrentCpu) = Timed(() =>
            {
                var a = new Thread(() => Worker(first));
                var b = new Thread(() => Worker(second));
                a.Start();
                b.Start();
                a.Join();
                b.Join();
            });
            result.ConcurrentMs.Add(concurrentMs);
            result.ConcurrentCpuMs.Add(concurrentCpu);
        }
        return result with { ThreadsInWorkers = workerThreads, SequentialThreads = sequentialThreads };
    }

    /// <summary>One precision target in a child of its own: load, one pass, timed passes, logits against FP32.</summary>
    public static PrecisionResult RunPrecision(string modelsDirectory, string photoPath, string name, int target, int samples)
    {
        var result = new PrecisionResult { Name = name, TargetValue = target };
        using var grey = Cv2.ImRead(photoPath, ImreadModes.Grayscale);
        using var input = RawNet.Input(grey, InputSize);
        using var blob = RawNet.Blob(input);
        float[] reference;
        using (var fp32 = RawNet.Load(modelsDirectory))
        {
            reference = RawNet.Forward(fp32, blob);
            for (int i = 0; i < samples; i++)
                result.Fp32Ms.Add(Timed(() => RawNet.Forward(fp32, blob)).WallMs);
        }
        try
        {
            using var net = RawNet.Load(modelsDirectory, (Target)target);
            float[] logits = RawNet.Forward(net, blob);
            for (int i = 0; i < samples; i++)
                result.Ms.Add(Timed(() => RawNet.Forward(net, blob)).WallMs);
            double max = 0, sum = 0, maxLogit = 0;
            for (int i = 0; i < reference.Length; i++)
            {
                double diff = Math.Abs(logits[i] - reference[i]);
                max = Math.Max(max, diff);
                sum += diff;
                maxLogit = Math.Max(maxLogit, Math.Abs(reference[i]));
            }
            result.MaxAbsDiff = max;
            result.MeanAbsDiff = sum / reference.Length;
            result.MaxAbsLogit = maxLogit;
            result.Ran = true;
        }
        catch (Exception ex) when (ex is OpenCVException or OpenCvSharpException or InvalidOperationException or ArgumentException)
        {
            result.Error = $"{ex.GetType().Name}: {ex.Message}";
        }
        return result;
    }

    private static (double WallMs, double CpuMs) Timed(Action action)
    {
        double cpuBefore = CpuMs();
        var clock = Stopwatch.StartNew();
        action();
        return (clock.Elapsed.TotalMilliseconds, CpuMs() - cpuBefore);
    }

    private static double CpuMs()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    private static string ParallelFramework()
    {
        string? line = Cv2.GetBuildInformation().Split('\n').FirstOrDefault(l => l.Contains("Parallel framework:", StringComparison.Ordinal));
        return line is null ? "unknown" : line[(line.IndexOf(':') + 1)..].Trim();
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
