using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Onnx;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>
/// One way of running the network: a backend and, for ONNX Runtime, its session options. <see cref="Key"/> is what the
/// parent passes to the <c>--backend-one</c> child.
/// </summary>
internal sealed record BackendVariant(string Key, string Backend, string Setting, int Threads, Action<SessionOptions>? Tune,
    InferencePrecision Precision = InferencePrecision.Fp32)
{
    public bool IsOpenCv => Key == OpenCv.Key;

    /// <summary>OpenCV's DNN on the Caffe files, backend OPENCV, target CPU, OpenCV's default thread count.</summary>
    public static readonly BackendVariant OpenCv = new("opencv", "OpenCV DNN", "backend OPENCV, target CPU, default threads", 0, null);

    /// <summary>ONNX Runtime FP32 as <see cref="OnnxColorizationNetwork.Load"/> ships it: spinning off, default threads, arena off, pattern on.</summary>
    public static readonly BackendVariant Ort = new("ort", "ONNX Runtime FP32", "as shipped: spinning off, threads 0, memory arena off, memory pattern on", 0, null);

    public static readonly BackendVariant OrtSpinning = new("ort-spin", "ONNX Runtime FP32", "spinning on (`session.intra_op.allow_spinning` = 1)", 0,
        o => o.AddSessionConfigEntry("session.intra_op.allow_spinning", "1"));

    public static readonly BackendVariant OrtTwoThreads = new("ort-threads2", "ONNX Runtime FP32", "threads 2 (`IntraOpNumThreads` = 2)", 2, null);

    public static readonly BackendVariant OrtArena = new("ort-arena", "ONNX Runtime FP32",
        "memory arena on (`EnableCpuMemArena` = true, ORT's default)", 0, o => o.EnableCpuMemArena = true);

    /// <summary>ONNX Runtime in static INT8 (<c>--precision int8</c>), calibrated at load: the opt-in.</summary>
    public static readonly BackendVariant OrtInt8 = new("ort-int8", "ONNX Runtime INT8 (opt-in)", "static INT8 calibrated at load, as shipped otherwise", 0, null,
        InferencePrecision.Int8);

    /// <summary>The backends as the app would run them, and the INT8 opt-in.</summary>
    public static readonly IReadOnlyList<BackendVariant> Backends = [OpenCv, Ort, OrtInt8];

    /// <summary>ONNX Runtime's shipped options first, then each change to them.</summary>
    public static readonly IReadOnlyList<BackendVariant> OrtVariants = [Ort, OrtSpinning, OrtTwoThreads, OrtArena];

    public static BackendVariant Parse(string key) =>
        new[] { OpenCv, Ort, OrtInt8, OrtSpinning, OrtTwoThreads, OrtArena }.FirstOrDefault(v => v.Key == key)
        ?? throw new ArgumentException($"Unknown backend variant '{key}'.", nameof(key));
}

/// <summary>
/// What one <c>--backend-one</c> child measured: load, memory, and per-pass wall and process CPU time. Milliseconds and MiB.
/// <see cref="IdleCpuMs"/> is the process CPU time during the <see cref="BackendRun.IdleGapMs"/> pause after each pass.
/// </summary>
internal sealed record BackendRunResult
{
    public required string Key { get; init; }
    public required int Size { get; init; }
    public string LoadAverage { get; init; } = "";
    public double RssBeforeMiB { get; init; }
    public double LoadMs { get; init; }
    public double RssAfterLoadMiB { get; init; }
    public double FirstPassMs { get; init; }
    public double RssAfterWarmUpMiB { get; init; }
    public double PeakMiB { get; init; }
    /// <summary>RSS after the timed passes, before the full GC below.</summary>
    public double RssAfterPassesMiB { get; init; }
    /// <summary>The managed heap right after the warm-up (<c>GC.GetTotalMemory(false)</c>): ORT's graph bytes and blobs, garbage by then.</summary>
    public double ManagedAfterWarmUpMiB { get; init; }
    /// <summary>RSS at the end, after an aggressive (compacting, decommitting) full GC: what the process keeps for the net.</summary>
    public double RssAfterCollectMiB { get; init; }
    public int ThreadsBefore { get; init; }
    public int ThreadsAfterWarmUp { get; init; }
    public List<double> Ms { get; init; } = [];
    public List<double> CpuMs { get; init; } = [];
    public List<double> IdleCpuMs { get; init; } = [];
}

/// <summary>
/// The backend part's child: one backend (or one ONNX Runtime option variant) at one render size, in a process of its
/// own so that its resident memory is its own. The input is the benchmark photo as <see cref="RawNet.Input"/> makes it.
/// </summary>
internal static class BackendRun
{
    /// <summary>The pause after each timed pass, in which a spinning thread pool would burn CPU (the app decodes and encodes there).</summary>
    public const int IdleGapMs = 50;

    public static BackendRunResult Run(string modelsDirectory, string photoPath, string key, int size, int passes, string logitsPath)
    {
        var variant = BackendVariant.Parse(key);
        string load = Load.Average();
        using var grey = Cv2.ImRead(photoPath, ImreadModes.Grayscale);
        if (grey.Empty())
            throw new InvalidOperationException($"Could not read {photoPath}.");
        using var input = RawNet.Input(grey, size);
        Collect();
        var before = ProcStatus.Read();
        int threadsBefore = Threads();

        var clock = Stopwatch.StartNew();
        using var backend = Open(variant, modelsDirectory);
        double loadMs = clock.Elapsed.TotalMilliseconds;
        var afterLoad = ProcStatus.Read();

        float[] logits = [];
        var (firstPass, _) = Timed(() => logits = backend.Logits(input));
        var afterWarmUp = ProcStatus.Read();
        double managed = GC.GetTotalMemory(false) / (1024.0 * 1024);
        int threadsAfter = Threads();
        if (logitsPath != "-")
            File.WriteAllBytes(logitsPath, MemoryMarshal.AsBytes(logits.AsSpan()).ToArray());

        var ms = new List<double>();
        var cpu = new List<double>();
        var idle = new List<double>();
        for (int i = 0; i < passes; i++)
        {
            var (wall, cpuMs) = Timed(() => backend.Pass(input));
            ms.Add(wall);
            cpu.Add(cpuMs);
            idle.Add(Timed(() => Thread.Sleep(IdleGapMs)).CpuMs);
        }
        var end = ProcStatus.Read();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var collected = ProcStatus.Read();
        Console.Error.WriteLine($"  {key} @{size}: load {loadMs:0} ms, first {firstPass:0} ms, median {Stats.Median(ms):0} ms " +
                                $"(CPU {Stats.Median(cpu):0} ms), RSS {afterWarmUp.RssMiB:0} MiB ({collected.RssMiB:0} after GC), load avg {load}");
        return new BackendRunResult
        {
            Key = key,
            Size = size,
            LoadAverage = load,
            RssBeforeMiB = before.RssMiB,
            LoadMs = loadMs,
            RssAfterLoadMiB = afterLoad.RssMiB,
            FirstPassMs = firstPass,
            RssAfterWarmUpMiB = afterWarmUp.RssMiB,
            PeakMiB = end.PeakMiB,
            RssAfterPassesMiB = end.RssMiB,
            ManagedAfterWarmUpMiB = managed,
            RssAfterCollectMiB = collected.RssMiB,
            ThreadsBefore = threadsBefore,
            ThreadsAfterWarmUp = threadsAfter,
            Ms = ms,
            CpuMs = cpu,
            IdleCpuMs = idle,
        };
    }

    /// <summary>The backend loaded from the synthetic model's weights: OpenCV from the trimmed prototxt, ORT from the same description.</summary>
    private static IBackend Open(BackendVariant variant, string modelsDirectory)
    {
        if (variant.IsOpenCv)
            return new OpenCvBackend(RawNet.Load(modelsDirectory));
        var network = OnnxColorizationNetwork.Load(NetworkDescription.Release.WithoutDecodingTail(),
            Path.Combine(modelsDirectory, ModelFileNames.Weights), variant.Threads, NullLogger.Instance, variant.Precision, variant.Tune);
        return new OrtBackend(network);
    }

    private interface IBackend : IDisposable
    {
        /// <summary>One forward pass on the prepared input, as the engine runs it (the logits where the engine keeps them).</summary>
        void Pass(Mat input);

        /// <summary>One forward pass; the logits of conv8_313, channel-major, in an array of their own.</summary>
        float[] Logits(Mat input);
    }

    // The engine's OpenCV path: a blob of the input, the pass, the logits copied out of OpenCV's Mat.
    private sealed class OpenCvBackend(OpenCvSharp.Dnn.Net net) : IBackend
    {
        public void Pass(Mat input) => Logits(input);

        public float[] Logits(Mat input)
        {
            using var blob = RawNet.Blob(input);
            return RawNet.Forward(net, blob);
        }

        public void Dispose() => net.Dispose();
    }

    // ORT writes the logits straight into the prediction's array: no copy in the timed pass.
    private sealed class OrtBackend(OnnxColorizationNetwork network) : IBackend
    {
        public void Pass(Mat input) => GC.KeepAlive(network.Forward(input));

        public float[] Logits(Mat input)
        {
            var prediction = network.Forward(input);
            int cells = prediction.Rows * prediction.Columns;
            var logits = new float[NetworkDescription.BinCount * cells];
            for (int bin = 0; bin < NetworkDescription.BinCount; bin++)
                prediction.Logits(bin).CopyTo(logits.AsSpan(bin * cells, cells));
            return logits;
        }

        public void Dispose() => network.Dispose();
    }

    // Wall time, and this process's CPU time (user + system, all threads) from getrusage via Environment.CpuUsage.
    private static (double WallMs, double CpuMs) Timed(Action action)
    {
        double cpuBefore = Environment.CpuUsage.TotalTime.TotalMilliseconds;
        var clock = Stopwatch.StartNew();
        action();
        double wall = clock.Elapsed.TotalMilliseconds;
        return (wall, Environment.CpuUsage.TotalTime.TotalMilliseconds - cpuBefore);
    }

    private static int Threads()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
        return line is null ? -1 : int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
