using System.Diagnostics;
using System.Globalization;
using Colorizer.Core.Colorization;
using Colorizer.Core.Native;
using Colorizer.Core.Video;

namespace Colorizer.Bench;

/// <summary>One video run, as the parent hands it to a child process (serialised as JSON).</summary>
internal sealed record VideoRunSpec
{
    public required string Id { get; init; }
    public required ClipSpec Clip { get; init; }
    public required string InputPath { get; init; }
    public required string WarmUpClipPath { get; init; }
    public required string ModelsDirectory { get; init; }
    public required string OutputPath { get; init; }
    public required bool Stabilize { get; init; }
    /// <summary>Null: the default (<see cref="VideoOptions.SkipThreshold"/>).</summary>
    public double? SkipThreshold { get; init; }
    public required int ForwardSamples { get; init; }
    public required bool MeasureFlicker { get; init; }
    /// <summary>Also time the engine's stabilizer step on its own, on this clip's frames.</summary>
    public bool MeasureStabilizer { get; init; }
    /// <summary>Network on key frames only (<see cref="VideoOptions.KeyFrames"/>); off runs it on every frame.</summary>
    public bool KeyFrames { get; init; }
    /// <summary>
    /// Leave glibc's malloc as it starts, instead of setting the 1 MB mmap threshold the CLI and the web app set first
    /// thing (<c>NativeHeap.ReturnLargeBuffersToTheSystem</c>): to show what that setting does to a long video.
    /// </summary>
    public bool DefaultHeap { get; init; }
    /// <summary>Keep the output for the parent (to compare colours between runs); it deletes it.</summary>
    public bool KeepOutput { get; init; }
}

/// <summary>
/// RSS after a number of frames, from the progress reports, with the managed heap's size (without forcing a
/// collection) and the number of full (gen 2) collections so far, to tell managed garbage from native growth. MiB.
/// </summary>
internal sealed record RssSample(int Frames, double RssMiB, double ManagedMiB = double.NaN, int Gen2Collections = 0);

/// <summary>What one child process measured for one video run. Times in milliseconds, memory in MiB.</summary>
internal sealed record VideoRunResult
{
    public required VideoRunSpec Spec { get; init; }
    public double SkipThreshold { get; set; }
    public string LoadAverageStart { get; set; } = "";
    public string LoadAverageEnd { get; set; } = "";
    public double LoadMs { get; set; }
    public double WarmUpMs { get; set; }
    public double WarmUpVideoMs { get; set; }

    public int Frames { get; set; }
    public int ForwardPasses { get; set; }
    public int KeyFrames { get; set; }
    public int SceneCuts { get; set; }
    public double EngineRawFlicker { get; set; }
    public double EngineOutputFlicker { get; set; }
    public bool AudioKept { get; set; }
    public string? Warning { get; set; }
    public long OutputBytes { get; set; }

    public double WallMs { get; set; }
    /// <summary>This process's CPU time (user + system, all threads) during the run.</summary>
    public double CpuMs { get; set; }
    /// <summary>CPU time of the child processes reaped during the run: the ffmpeg encoder (and an ffprobe).</summary>
    public double ChildCpuMs { get; set; }
    public List<double> Forward { get; init; } = [];
    public List<double> ForwardCpu { get; init; } = [];

    public double RssAfterWarmUpMiB { get; set; }
    public double PeakBeforeRunMiB { get; set; }
    public bool PeakReset { get; set; }
    public double PeakRunMiB { get; set; }
    public double RssEndMiB { get; set; }
    public List<RssSample> Rss { get; init; } = [];

    public MeasuredFlicker? Measured { get; set; }
    /// <summary>The stabilizer step alone: blending (NewFrameWeight 0.3) and pass-through (weight 1, as with Stabilize off).</summary>
    public StabilizerTiming? Stabilizer { get; set; }
    public StabilizerTiming? StabilizerOff { get; set; }
    public double MeasureMs { get; set; }
}

/// <summary>
/// One video run in a child process of its own: load the net, warm up (a forward pass at 224, then a tiny video
/// through the same pipeline so that the JIT and ffmpeg's first start are not in the timing), sample the bare forward
/// pass, colorize the clip end to end, sample the forward pass again, then read the result back for the flicker.
/// </summary>
internal static class VideoRun
{
    private const int RenderSize = ColorizationOptions.DefaultRenderSize;
    // USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux architecture .NET runs on.
    private const double ClockTicksPerSecond = 100;

    public static async Task<VideoRunResult> RunAsync(VideoRunSpec spec)
    {
        // As the hosts do in Main, before any native buffer exists.
        if (!spec.DefaultHeap)
            NativeHeap.ReturnLargeBuffersToTheSystem();
        var result = new VideoRunResult { Spec = spec, LoadAverageStart = Load.Average() };
        var options = new VideoOptions { Stabilize = spec.Stabilize, KeyFrames = spec.KeyFrames };
        if (spec.SkipThreshold is { } skip)
            options = options with { SkipThreshold = skip };
        result.SkipThreshold = options.SkipThreshold;

        var clock = Stopwatch.StartNew();
        using var engine = ColorizationEngine.Load(spec.ModelsDirectory, backend: BenchBackend.Backend);
        result.LoadMs = Lap(clock);
        ColorizationEngine.PrimeCodePaths();
        engine.WarmUp(RenderSize);
        result.WarmUpMs = Lap(clock);

        var colorizer = new VideoColorizer(engine);
        string warmUpOutput = Path.Combine(Path.GetDirectoryName(spec.OutputPath)!, $"warm-up-{spec.Id}.mp4");
        await colorizer.ColorizeAsync(spec.WarmUpClipPath, warmUpOutput, options);
        File.Delete(warmUpOutput);
        result.WarmUpVideoMs = Lap(clock);

        int before = Math.Max(1, spec.ForwardSamples / 2);
        for (int i = 0; i < before; i++)
            Forward(engine, result);

        Collect();
        var warm = ProcStatus.Read();
        result.RssAfterWarmUpMiB = warm.RssMiB;
        result.PeakBeforeRunMiB = warm.PeakMiB;
        result.PeakReset = ProcStatus.TryResetPeak();

        var progress = new RssProgress(result.Rss);
        var cpu = CpuTime();
        double children = ChildrenCpuMs();
        clock.Restart();
        var video = await colorizer.ColorizeAsync(spec.InputPath, spec.OutputPath, options, progress);
        result.WallMs = Lap(clock);
        result.CpuMs = (CpuTime() - cpu).TotalMilliseconds;
        result.ChildCpuMs = ChildrenCpuMs() - children;
        var end = ProcStatus.Read();
        result.PeakRunMiB = end.PeakMiB;
        result.RssEndMiB = end.RssMiB;

        result.Frames = video.Frames;
        result.ForwardPasses = video.ForwardPasses;
        result.KeyFrames = video.KeyFrames;
        result.SceneCuts = video.SceneCuts;
        result.EngineRawFlicker = video.RawFlicker;
        result.EngineOutputFlicker = video.OutputFlicker;
        result.AudioKept = video.AudioKept;
        result.Warning = video.Warning;
        result.OutputBytes = new FileInfo(spec.OutputPath).Length;

        for (int i = 0; i < Math.Max(1, spec.ForwardSamples - before); i++)
            Forward(engine, result);
        result.LoadAverageEnd = Load.Average();

        if (spec.MeasureFlicker)
        {
            clock.Restart();
            result.Measured = OutputFlicker.Measure(spec.OutputPath, spec.Clip.Offset, spec.Clip.CutAt);
            result.MeasureMs = Lap(clock);
        }
        if (!spec.KeepOutput)
            File.Delete(spec.OutputPath);
        if (spec.MeasureStabilizer)
        {
            result.Stabilizer = StabilizerCost.Measure(spec.InputPath, RenderSize, options.NewFrameWeight, options.SceneCutThreshold, steps: 24);
            result.StabilizerOff = StabilizerCost.Measure(spec.InputPath, RenderSize, 1.0, options.SceneCutThreshold, steps: 24);
        }
        return result;
    }

    /// <summary>Reads RSS at every progress report; the engine reports synchronously from its loop, about twice a second.</summary>
    private sealed class RssProgress(List<RssSample> samples) : IProgress<VideoProgress>
    {
        public void Report(VideoProgress value) =>
            samples.Add(new RssSample(value.FramesDone, ProcStatus.Read().RssMiB, GC.GetTotalMemory(false) / (1024.0 * 1024), GC.CollectionCount(2)));
    }

    private static void Forward(ColorizationEngine engine, VideoRunResult result)
    {
        var cpu = CpuTime();
        var clock = Stopwatch.StartNew();
        engine.WarmUp(RenderSize);
        result.Forward.Add(clock.Elapsed.TotalMilliseconds);
        result.ForwardCpu.Add((CpuTime() - cpu).TotalMilliseconds);
    }

    private static double Lap(Stopwatch clock)
    {
        double elapsed = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        return elapsed;
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>cutime + cstime from /proc/self/stat: CPU of the children this process has waited for.</summary>
    private static double ChildrenCpuMs()
    {
        const string path = "/proc/self/stat";
        if (!File.Exists(path))
            return double.NaN;
        string stat = File.ReadAllText(path);
        // The fields after the command name (which is in parentheses and may contain spaces): state is field 3,
        // cutime field 16, cstime field 17.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double ticks = double.Parse(fields[13], CultureInfo.InvariantCulture) + double.Parse(fields[14], CultureInfo.InvariantCulture);
        return ticks / ClockTicksPerSecond * 1000;
    }


    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
