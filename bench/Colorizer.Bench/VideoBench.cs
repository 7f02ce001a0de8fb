using System.Diagnostics;
using System.Text.Json;
using Colorizer.Core.Video;

namespace Colorizer.Bench;

/// <summary>Everything the video part measured.</summary>
internal sealed record VideoBenchResult(
    bool Quick, int Frames, int LongFrames, double Grain, string FfmpegVersion, string? Skipped, IReadOnlyList<VideoRunResult> Runs, TimeSpan Elapsed)
{
    /// <summary>Mean |ΔL| between consecutive frames of the clips at 224×224, bilinear (as the network input) and area resize.</summary>
    public IReadOnlyDictionary<SceneKind, (double Bilinear, double Area)> InputChanges { get; init; } = new Dictionary<SceneKind, (double, double)>();

    /// <summary>Key frames on against off (the network on every frame), both stabilized: (key-frame run, every-frame run, colour difference).</summary>
    public IReadOnlyList<(string KeyFrames, string EveryFrame, ChromaDifference Difference)> KeyFrameDifferences { get; init; } = [];

    public VideoRunResult? Run(string id) => Runs.FirstOrDefault(r => r.Spec.Id == id);
}

/// <summary>
/// The video part of the benchmark: makes the clips, runs each configuration in a child process of its own (so that
/// each run's peak memory is its own), and collects the results.
/// </summary>
internal static class VideoBench
{
    public const string Pan480 = "pan-480";
    public const string Pan480Key = "pan-480-key";
    public const string Grain480Key = "grain-480-key";
    public const string Cut480 = "cut-480";
    public const string Cut480Key = "cut-480-key";
    public const string Pan1080Key = "pan-1080-key";
    public const string Pan1080LongDefaultHeap = "pan-1080-long-default-heap";
    public const string Pan480NoStab = "pan-480-nostab";
    public const string Grain480 = "grain-480";
    public const string Grain480NoStab = "grain-480-nostab";
    public const string Grain480Skip0 = "grain-480-skip0";
    public const string Grain480Skip0NoStab = "grain-480-skip0-nostab";
    public const string Clean480 = "clean-480";
    public const string Pan1080 = "pan-1080";
    public const string Pan1080Long = "pan-1080-long";
    public const string Clean1080 = "clean-1080";

    public const double Grain = 3;
    private const int ForwardSamples = 4;

    public static async Task<VideoBenchResult> RunAsync(string modelsDirectory, string work, bool quick, int seed,
        Func<string[], Task<int>> runChild)
    {
        var total = Stopwatch.StartNew();
        int frames = quick ? 16 : 48, longFrames = 3 * frames;
        string? ffmpeg = Ffmpeg.Locate();
        if (ffmpeg is null)
        {
            string reason = "ffmpeg is not on PATH: the video part needs it (the product's H.264 path, and to make the clips); it was skipped.";
            Console.Error.WriteLine(reason);
            return new VideoBenchResult(quick, frames, longFrames, Grain, "", reason, [], total.Elapsed);
        }

        string directory = Path.Combine(work, "video");
        Directory.CreateDirectory(directory);
        var pan480 = new ClipSpec(SceneKind.Pan, 854, 480, frames, PanPixelsPerFrame: 2, Grain);
        var grain480 = new ClipSpec(SceneKind.StaticGrain, 854, 480, frames, 0, Grain);
        var clean480 = new ClipSpec(SceneKind.StaticClean, 854, 480, frames, 0, 0);
        var cut480 = new ClipSpec(SceneKind.Cut, 854, 480, frames, PanPixelsPerFrame: 2, Grain);
        var pan1080 = new ClipSpec(SceneKind.Pan, 1920, 1080, frames, PanPixelsPerFrame: 4, Grain);
        var pan1080Long = pan1080 with { Frames = longFrames };
        var clean1080 = new ClipSpec(SceneKind.StaticClean, 1920, 1080, frames, 0, 0);
        // Two frames: the first takes the new-scene path, the second the optical-flow blend.
        var warmUp = new ClipSpec(SceneKind.Pan, 160, 96, 2, PanPixelsPerFrame: 1, Grain);

        var clock = Stopwatch.StartNew();
        var paths = new Dictionary<ClipSpec, string>();
        foreach (var clip in new[] { pan480, grain480, clean480, cut480, pan1080, pan1080Long, clean1080, warmUp })
        {
            string path = Path.Combine(directory, clip.FileName);
            VideoClips.Write(ffmpeg, clip, path, seed);
            paths[clip] = path;
        }
        Console.Error.WriteLine($"Video clips written in {clock.Elapsed.TotalSeconds:0.0} s");
        var inputChanges = new Dictionary<SceneKind, (double Bilinear, double Area)>();
        foreach (var clip in new[] { pan480, grain480, clean480 })
            inputChanges[clip.Kind] = InputChange.Measure(paths[clip], 224, pairs: 8);

        VideoRunSpec Spec(string id, ClipSpec clip, bool stabilize, double? skip = null, bool flicker = false, bool stabilizerCost = false,
            bool keyFrames = false, bool defaultHeap = false) => new()
        {
            Id = id,
            Clip = clip,
            InputPath = paths[clip],
            WarmUpClipPath = paths[warmUp],
            ModelsDirectory = modelsDirectory,
            OutputPath = Path.Combine(directory, $"out-{id}.mp4"),
            Stabilize = stabilize,
            SkipThreshold = skip,
            ForwardSamples = ForwardSamples,
            MeasureFlicker = flicker,
            MeasureStabilizer = stabilizerCost,
            KeyFrames = keyFrames,
            DefaultHeap = defaultHeap,
            KeepOutput = flicker,
        };

        // Without key frames is the network on every frame, as before key frames; the memory runs keep to it, the
        // worst case for memory, and one of them leaves glibc's heap as it starts.
        var specs = new List<VideoRunSpec>
        {
            Spec(Pan480Key, pan480, stabilize: true, flicker: true, keyFrames: true),
            Spec(Pan480, pan480, stabilize: true, flicker: true, stabilizerCost: true),
            Spec(Pan480NoStab, pan480, stabilize: false, flicker: true),
            Spec(Grain480Key, grain480, stabilize: true, flicker: true, keyFrames: true),
            Spec(Grain480, grain480, stabilize: true, flicker: true),
            Spec(Grain480NoStab, grain480, stabilize: false, flicker: true),
            Spec(Cut480Key, cut480, stabilize: true, flicker: true, keyFrames: true),
            Spec(Cut480, cut480, stabilize: true, flicker: true),
            Spec(Clean480, clean480, stabilize: true, flicker: true, keyFrames: true),
            Spec(Pan1080Key, pan1080, stabilize: true, keyFrames: true),
            Spec(Pan1080, pan1080, stabilize: true, stabilizerCost: true),
            Spec(Pan1080Long, pan1080Long, stabilize: true),
            Spec(Pan1080LongDefaultHeap, pan1080Long, stabilize: true, defaultHeap: true),
            Spec(Clean1080, clean1080, stabilize: true, keyFrames: true),
        };

        var results = new List<VideoRunResult>();
        foreach (var spec in specs)
        {
            var result = await RunOneAsync(spec, directory, runChild);
            results.Add(result);
            // A grainy still scene that the default threshold does not skip already has a pass per frame; if the
            // default did skip it, its flicker says nothing about the network, so measure it again with every frame.
            if (spec.Id == Grain480NoStab && results.Any(r => r.Spec.Id is Grain480 or Grain480NoStab && r.ForwardPasses < r.Frames))
            {
                results.Add(await RunOneAsync(Spec(Grain480Skip0, grain480, stabilize: true, skip: 0, flicker: true), directory, runChild));
                results.Add(await RunOneAsync(Spec(Grain480Skip0NoStab, grain480, stabilize: false, skip: 0, flicker: true), directory, runChild));
            }
        }
        var differences = new List<(string, string, ChromaDifference)>();
        foreach (var (keyed, every) in new[] { (Pan480Key, Pan480), (Grain480Key, Grain480), (Cut480Key, Cut480) })
        {
            var a = results.First(r => r.Spec.Id == keyed).Spec.OutputPath;
            var b = results.First(r => r.Spec.Id == every).Spec.OutputPath;
            differences.Add((keyed, every, ChromaDifference.Measure(a, b)));
        }
        foreach (var spec in specs.Where(s => s.KeepOutput))
            File.Delete(spec.OutputPath);
        return new VideoBenchResult(quick, frames, longFrames, Grain, FfmpegVersion(ffmpeg), null, results, total.Elapsed)
        {
            InputChanges = inputChanges,
            KeyFrameDifferences = differences,
        };
    }

    private static string FfmpegVersion(string ffmpeg)
    {
        var start = new ProcessStartInfo(ffmpeg) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-version");
        using var process = Process.Start(start);
        if (process is null)
            return "unknown";
        _ = process.StandardError.ReadToEndAsync();
        string first = process.StandardOutput.ReadLine() ?? "";
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        // "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) ..."
        var words = first.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length >= 3 ? words[2] : "unknown";
    }

    private static async Task<VideoRunResult> RunOneAsync(VideoRunSpec spec, string directory, Func<string[], Task<int>> runChild)
    {
        string specPath = Path.Combine(directory, $"spec-{spec.Id}.json");
        string resultPath = Path.Combine(directory, $"result-{spec.Id}.json");
        await File.WriteAllTextAsync(specPath, JsonSerializer.Serialize(spec));
        var clock = Stopwatch.StartNew();
        int code = await runChild(["--video-one", specPath, resultPath]);
        if (code != 0)
            throw new InvalidOperationException($"The child process for the video run {spec.Id} exited with {code}.");
        var result = JsonSerializer.Deserialize<VideoRunResult>(await File.ReadAllTextAsync(resultPath))!;
        Console.Error.WriteLine($"  [{spec.Id}] {result.Frames} frames, {result.ForwardPasses} passes, {result.Frames / (result.WallMs / 1000):0.00} fps, " +
                                $"flicker engine {result.EngineRawFlicker:0.00} → {result.EngineOutputFlicker:0.00}" +
                                (result.Measured is { } m ? $", MP4 {m.Fixed:0.00} (compensated {m.Compensated:0.00})" : "") +
                                $", peak {result.PeakRunMiB:0} MiB, load {result.LoadAverageStart} → {result.LoadAverageEnd} " +
                                $"(child {clock.Elapsed.TotalSeconds:0} s)");
        return result;
    }
}
