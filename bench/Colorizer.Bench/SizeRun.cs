using System.Diagnostics;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.IO;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>What one child process measured for one image size. Times in milliseconds, memory in MiB.</summary>
internal sealed record SizeResult
{
    public required string Label { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required long JpegBytes { get; init; }
    public long PngBytes { get; set; }
    public int Runs { get; set; }

    public double LoadMs { get; set; }
    public double WarmUpMs { get; set; }
    public double FirstImageMs { get; set; }

    public double RssAfterWarmUpMiB { get; set; }
    public double PeakAfterWarmUpMiB { get; set; }
    public bool PeakReset { get; set; }
    public double PeakFirstImageMiB { get; set; }
    public double PeakAllRunsMiB { get; set; }
    public double RssEndMiB { get; set; }

    public string LoadAverageStart { get; set; } = "";
    public string LoadAverageEnd { get; set; } = "";

    public List<double> Forward { get; init; } = [];
    public List<double> ForwardCpu { get; init; } = [];
    public List<double> Whole { get; init; } = [];
    public List<double> WholeCpu { get; init; } = [];
    /// <summary>Whole pipeline minus the forward pass timed just before it, per run (wall and CPU).</summary>
    public List<double> Overhead { get; init; } = [];
    public List<double> OverheadCpu { get; init; } = [];
    /// <summary>The first image after warm-up, stage by stage (one sample).</summary>
    public StageTimes First { get; init; } = new();
    /// <summary>The later images, stage by stage.</summary>
    public StageTimes Steady { get; init; } = new();
    public List<double> Rerender { get; init; } = [];
    public List<double> Preview { get; init; } = [];
}

/// <summary>Per-stage samples in milliseconds.</summary>
internal sealed class StageTimes
{
    public List<double> Read { get; init; } = [];
    public List<double> Decode { get; init; } = [];
    public List<double> Prep { get; init; } = [];
    public List<double> Predict { get; init; } = [];
    public List<double> DecodeAb { get; init; } = [];
    public List<double> Compose { get; init; } = [];
    public List<double> Encode { get; init; } = [];
    public List<double> Write { get; init; } = [];

    /// <summary>The pipeline's own stages (without the extra input-prep call), median of each.</summary>
    public double PipelineSum() => Stats.Median(Read) + Stats.Median(Decode) + Stats.Median(Predict) + Stats.Median(DecodeAb) +
        Stats.Median(Compose) + Stats.Median(Encode) + Stats.Median(Write);
}

/// <summary>
/// The measurements for one size, run in a child process of its own so that its peak memory is the model plus that
/// image alone.
/// </summary>
internal static class SizeRun
{
    private const int RenderSize = ColorizationOptions.DefaultRenderSize;
    private const double RerenderTemperature = 0.2;
    private const int PreviewSide = 1280;

    public static async Task<SizeResult> RunAsync(string label, string imagePath, string modelsDirectory, string workDirectory,
        int runs, int forwardRuns)
    {
        var options = ColorizationOptions.Default;
        var limits = DecodeLimits.Default;
        var (width, height) = ReadSize(imagePath);
        var result = new SizeResult { Label = label, Width = width, Height = height, JpegBytes = new FileInfo(imagePath).Length, Runs = runs };
        result.LoadAverageStart = Load.Average();
        string output = Path.Combine(workDirectory, Path.GetFileNameWithoutExtension(imagePath) + ".png");

        var clock = Stopwatch.StartNew();
        using var engine = ColorizationEngine.Load(modelsDirectory, backend: BenchBackend.Backend);
        result.LoadMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        engine.WarmUp(RenderSize);
        result.WarmUpMs = clock.Elapsed.TotalMilliseconds;

        Collect();
        var warm = ProcStatus.Read();
        result.RssAfterWarmUpMiB = warm.RssMiB;
        result.PeakAfterWarmUpMiB = warm.PeakMiB;
        result.PeakReset = ProcStatus.TryResetPeak();

        // The first image after warm-up, stage by stage (the CLI's stages plus the two extra timing calls); its peak is
        // the image's cost on top of the net. First calls pay for JIT and lazy initialisation, so it is kept apart.
        clock.Restart();
        await StagesAsync(engine, imagePath, output, options, limits, result.First, afterWrite: _ => result.PeakFirstImageMiB = ProcStatus.Read().PeakMiB);
        result.FirstImageMs = clock.Elapsed.TotalMilliseconds;
        result.PngBytes = new FileInfo(output).Length;

        // The bare forward pass: WarmUp runs exactly one forward at the given size on a pre-built input. Some samples
        // stand alone; one more precedes each whole-pipeline run, so that the pair sees the same load on a shared machine.
        for (int i = 0; i < Math.Max(0, forwardRuns - runs); i++)
            Forward(engine, result);

        for (int run = 0; run < runs; run++)
        {
            Collect();
            Forward(engine, result);
            var cpu = CpuTime();
            result.Whole.Add(await WholeAsync(engine, imagePath, output, options, limits));
            result.WholeCpu.Add((CpuTime() - cpu).TotalMilliseconds);
            result.Overhead.Add(result.Whole[^1] - result.Forward[^1]);
            result.OverheadCpu.Add(result.WholeCpu[^1] - result.ForwardCpu[^1]);
            Collect();
            await StagesAsync(engine, imagePath, output, options, limits, result.Steady, afterWrite: colorized =>
            {
                var renderClock = Stopwatch.StartNew();
                using (colorized.Render(RerenderTemperature, 1.0)) { }
                result.Rerender.Add(Lap(renderClock));
                using (colorized.RenderPreview(PreviewSide, RerenderTemperature, 1.0)) { }
                result.Preview.Add(Lap(renderClock));
            });
            Console.Error.WriteLine($"  [{label}] run {run + 1}/{runs}: whole {result.Whole[^1]:0} ms");
        }

        var end = ProcStatus.Read();
        result.PeakAllRunsMiB = end.PeakMiB;
        result.RssEndMiB = end.RssMiB;
        result.LoadAverageEnd = Load.Average();
        File.Delete(output);
        return result;
    }

    private static void Forward(ColorizationEngine engine, SizeResult result)
    {
        var cpu = CpuTime();
        var clock = Stopwatch.StartNew();
        engine.WarmUp(RenderSize);
        result.Forward.Add(clock.Elapsed.TotalMilliseconds);
        result.ForwardCpu.Add((CpuTime() - cpu).TotalMilliseconds);
    }

    /// <summary>read bytes → decode → colorize → encode PNG → write, as <c>colorizer colorize</c> does per image.</summary>
    private static async Task<double> WholeAsync(ColorizationEngine engine, string input, string output,
        ColorizationOptions options, DecodeLimits limits)
    {
        var clock = Stopwatch.StartNew();
        byte[] bytes = await File.ReadAllBytesAsync(input);
        var decoded = ImageDecoder.Decode(bytes, limits);
        using var colorized = await engine.ColorizeAsync(decoded, options);
        await colorized.SaveAsync(output, OutputFormat.Png, EncoderOptions.Default);
        return clock.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// The same pipeline one stage at a time, plus two sub-stages timed on their own; then <paramref name="afterWrite"/>
    /// (untimed here) with the result still alive.
    /// </summary>
    private static async Task StagesAsync(ColorizationEngine engine, string input, string output,
        ColorizationOptions options, DecodeLimits limits, StageTimes result, Action<ColorizedImage> afterWrite)
    {
        var clock = Stopwatch.StartNew();
        byte[] bytes = await File.ReadAllBytesAsync(input);
        result.Read.Add(Lap(clock));

        var decoded = ImageDecoder.Decode(bytes, limits);
        result.Decode.Add(Lap(clock));

        // LabPipeline is internal to Colorizer.Core (visible to the bench); its two halves are timed on their own.
        using (LabPipeline.NetworkInput(decoded, options.RenderSize)) { }
        result.Prep.Add(Lap(clock));

        using var colorized = await engine.ColorizeAsync(decoded, options);
        result.Predict.Add(Lap(clock));

        // Render() is DecodeAb then LabPipeline.Compose; the two are timed apart.
        Mat rendered;
        using (var ab = colorized.Prediction.DecodeAb(engine.Bins, options.Temperature, options.Saturation))
        {
            result.DecodeAb.Add(Lap(clock));
            rendered = LabPipeline.Compose(colorized.Source, ab);
            result.Compose.Add(Lap(clock));
        }

        byte[] png;
        using (rendered)
        {
            png = ImageEncoder.Encode(rendered, OutputFormat.Png, EncoderOptions.Default);
            result.Encode.Add(Lap(clock));
        }
        await AtomicFile.WriteAllBytesAsync(output, png);
        result.Write.Add(Lap(clock));
        afterWrite(colorized);
    }

    private static double Lap(Stopwatch clock)
    {
        double elapsed = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        return elapsed;
    }

    private static (int Width, int Height) ReadSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return ImageHeader.TryReadSize(bytes, ImageFormatDetector.Identify(bytes), out int width, out int height)
            ? (width, height)
            : throw new InvalidOperationException($"Cannot read the size of {path}.");
    }

    /// <summary>CPU time of this process, all threads (user + system).</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }


    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
