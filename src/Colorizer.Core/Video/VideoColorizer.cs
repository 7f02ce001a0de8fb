using System.Diagnostics;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.IO;
using Colorizer.Core.Restoration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace Colorizer.Core.Video;

/// <summary>
/// Colorizes a video frame by frame, streaming (memory does not grow with length), with the colour stabilized over
/// time, and writes an H.264 MP4 with the original audio when ffmpeg is there. The output appears under its final name
/// only when complete: a cancelled or failed run leaves nothing behind.
/// </summary>
public sealed class VideoColorizer(ColorizationEngine engine, ILogger? logger = null)
{
    // Frames left out of the time-left estimate (start-up), and frames timed after them before it is given.
    private const int EtaWarmUpFrames = 3, EtaTimedFrames = 10;

    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Colorizes <paramref name="inputPath"/> into <paramref name="outputPath"/> (an .mp4).</summary>
    public async Task<VideoResult> ColorizeAsync(string inputPath, string outputPath, VideoOptions? options = null,
        IProgress<VideoProgress>? progress = null, CancellationToken ct = default)
    {
        (options ??= VideoOptions.Default with { Colorization = engine.DefaultOptions }).Validate();
        if (!string.Equals(options.Colorization.Model, engine.Model.Id, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The options are for the {options.Colorization.Model} model; the engine runs {engine.Model.Id}.", nameof(options));
        if (!File.Exists(inputPath))
            throw new InvalidVideoException($"{inputPath} does not exist.");

        using var capture = new VideoCapture(inputPath, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
            throw new InvalidVideoException($"{Path.GetFileName(inputPath)} could not be opened as a video: it is damaged or not a video.");
        int width = capture.FrameWidth, height = capture.FrameHeight;
        double fps = capture.Fps;
        int announced = Math.Max(0, capture.FrameCount);
        if (width <= 0 || height <= 0)
            throw new InvalidVideoException($"{Path.GetFileName(inputPath)} has no readable video stream.");
        if (!(fps > 0 && fps < 1000))
            throw new InvalidVideoException($"{Path.GetFileName(inputPath)} declares a frame rate of {fps}; it is damaged.");

        string? ffmpeg = Ffmpeg.Locate();
        string? warning = ffmpeg is null
            ? "ffmpeg was not found: the result is silent and uses MPEG-4 Part 2 instead of H.264. Install ffmpeg to keep the audio."
            : null;
        if (warning is not null)
            _logger.LogWarning("{Warning}", warning);

        string final = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        string name = Path.GetFileName(inputPath);
        if (options.Part is { } part)
        {
            if (ffmpeg is null)
                throw new InvalidVideoException("Colorizing a part of a video needs ffmpeg, to encode and later join its segments; install ffmpeg.");
            return await ColorizePartAsync(capture, ffmpeg, inputPath, Path.GetDirectoryName(final)!, part, width, height, fps, announced, options, progress, ct)
                .ConfigureAwait(false);
        }
        if (options.Resumable && ffmpeg is not null)
            return await ColorizeInSegmentsAsync(capture, ffmpeg, inputPath, final, width, height, fps, announced, options, progress, ct).ConfigureAwait(false);

        string temporary = AtomicFile.TemporaryPathFor(final);
        try
        {
            VideoResult result;
            await using (IFrameSink sink = ffmpeg is not null
                ? new FfmpegSink(ffmpeg, temporary, width, height, fps, options.Quality, options.KeepAudio ? Path.GetFullPath(inputPath) : null)
                : new OpenCvSink(temporary, width, height, fps))
            {
                result = await RunAsync(capture, new SinkPlan(sink), width, height, announced, options, progress, name, ct).ConfigureAwait(false);
                await sink.CompleteAsync(ct).ConfigureAwait(false);
                result = result with { AudioKept = sink.KeepsAudio && HasAudio(inputPath), Warning = warning };
            }
            ct.ThrowIfCancellationRequested();
            File.Move(temporary, final, overwrite: true);
            return result;
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    // Segments of a few seconds each, recorded in a manifest as they finish, so that running the same work again
    // after an interruption does only what is missing; then the segments are joined under the final name.
    private async Task<VideoResult> ColorizeInSegmentsAsync(VideoCapture capture, string ffmpeg, string inputPath, string final,
        int width, int height, double fps, int announced, VideoOptions options, IProgress<VideoProgress>? progress, CancellationToken ct)
    {
        string name = Path.GetFileName(inputPath);
        string folder = SegmentManifest.FolderFor(final);
        int segmentFrames = Math.Max(1, (int)Math.Round(fps * options.SegmentSeconds));
        var input = new FileInfo(inputPath);
        // The input (by path, size and time) and every option that changes the pixels: other work starts again.
        string identity = $"{input.FullName}|{input.Length}|{input.LastWriteTimeUtc.Ticks}|{width}x{height}@{fps}|" +
                          (options with { Resumable = false, Restart = false, KeepAudio = true });
        if (options.Restart && Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
        var manifest = SegmentManifest.Load(folder, identity, segmentFrames);
        if (manifest is null)
        {
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
            Directory.CreateDirectory(folder);
            manifest = new SegmentManifest { Identity = identity, SegmentFrames = segmentFrames };
        }
        else if (manifest.Segments.Count > 0)
        {
            _logger.LogInformation("Resuming {Name}: {Segments} segments of {SegmentFrames} frames are done", name, manifest.Segments.Count, segmentFrames);
        }
        AtomicFile.CleanLeftovers(folder, TimeSpan.Zero);
        int resumed = manifest.Segments.Sum(s => s.Frames);

        VideoResult result;
        try
        {
            await using var plan = new SegmentPlan(ffmpeg, folder, manifest, width, height, fps, options.Quality);
            result = await RunAsync(capture, plan, width, height, announced, options, progress, name, ct).ConfigureAwait(false);
            await plan.FinishAsync(ct).ConfigureAwait(false);
        }
        catch (InvalidVideoException)
        {
            // Nothing to resume from a video that cannot be read to its end.
            Directory.Delete(folder, recursive: true);
            throw;
        }

        var segments = manifest.Segments.OrderBy(s => s.Index).ToList();
        string? audio = options.KeepAudio && HasAudio(inputPath) ? Path.GetFullPath(inputPath) : null;
        await SegmentJoin.JoinIntoAsync(ffmpeg, segments.Select(s => Path.Combine(folder, s.File)).ToList(), audio, final, ct).ConfigureAwait(false);
        Directory.Delete(folder, recursive: true);
        // What every segment took, this run's and the earlier runs' alike; the flicker is this run's.
        return result with
        {
            ForwardPasses = segments.Sum(s => s.ForwardPasses),
            SceneCuts = segments.Sum(s => s.SceneCuts),
            KeyFrames = segments.Sum(s => s.KeyFrames),
            AudioKept = options.KeepAudio && HasAudio(inputPath),
            ResumedFrames = resumed,
        };
    }

    // One span of the video's segments, into a parts folder that the other parts share (each with its own manifest);
    // VideoParts.JoinAsync joins them once all are complete.
    private async Task<VideoResult> ColorizePartAsync(VideoCapture capture, string ffmpeg, string inputPath, string directory, VideoPart part,
        int width, int height, double fps, int announced, VideoOptions options, IProgress<VideoProgress>? progress, CancellationToken ct)
    {
        string name = Path.GetFileName(inputPath);
        if (announced <= 0)
            throw new InvalidVideoException($"{name} does not say how many frames it has, so it cannot be split into parts.");
        string folder = VideoParts.FolderFor(directory, inputPath);
        Directory.CreateDirectory(folder);
        int segmentFrames = Math.Max(1, (int)Math.Round(fps * options.SegmentSeconds));
        var (first, end) = part.Span((announced + segmentFrames - 1) / segmentFrames);
        var input = new FileInfo(inputPath);
        string identity = $"{input.FullName}|{input.Length}|{input.LastWriteTimeUtc.Ticks}|{width}x{height}@{fps}|{part}|" +
                          (options with { Resumable = false, Restart = false, KeepAudio = true });
        var manifest = options.Restart ? null : SegmentManifest.Load(folder, identity, segmentFrames, part.ManifestName);
        manifest ??= new SegmentManifest
        {
            Identity = identity, SegmentFrames = segmentFrames, Input = input.FullName, FirstSegment = first, EndSegment = end,
        };
        // Only this part's own leftovers: the others may be writing theirs in the same folder right now.
        foreach (var leftover in Directory.EnumerateFiles(folder, ".segment-*" + AtomicFile.TemporaryMarker))
        {
            if (int.TryParse(Path.GetFileName(leftover).AsSpan(".segment-".Length, 6), out int index) && index >= first && index < end)
                File.Delete(leftover);
        }
        int resumed = manifest.Segments.Sum(s => s.Frames);
        VideoResult result;
        if (manifest.Complete)
        {
            result = new VideoResult(0, width, height, fps, 0, 0, 0, 0, false, null);
        }
        else
        {
            await using var plan = new SegmentPlan(ffmpeg, folder, manifest, width, height, fps, options.Quality, part.ManifestName);
            result = await RunAsync(capture, plan, width, height, announced, options, progress, name, ct).ConfigureAwait(false);
            await plan.FinishAsync(ct).ConfigureAwait(false);
        }
        var segments = manifest.Segments;
        return result with
        {
            Frames = segments.Sum(s => s.Frames),
            ForwardPasses = segments.Sum(s => s.ForwardPasses),
            SceneCuts = segments.Sum(s => s.SceneCuts),
            KeyFrames = segments.Sum(s => s.KeyFrames),
            ResumedFrames = resumed,
        };
    }

    private async Task<VideoResult> RunAsync(VideoCapture capture, FramePlan plan, int width, int height,
        int announced, VideoOptions options, IProgress<VideoProgress>? progress, string name, CancellationToken ct)
    {
        double fps = capture.Fps;
        var colorization = options.Colorization;
        int renderSize = colorization.RenderSize;
        using var stabilizer = new ChromaStabilizer(options.Stabilize ? options.NewFrameWeight : 1.0, options.SceneCutThreshold,
            trackMotion: options.KeyFrames);
        var schedule = new KeyFrameSchedule(options.KeyFrames ? options.KeyFrameInterval : 1);
        using var frame = new Mat();
        // One frame buffer and one output buffer for the whole video: a new full-size Mat per frame left glibc's heaps
        // fragmented, and resident memory grew with the length of the video.
        using var bgr = new Mat();
        using var colored = new Mat();
        Mat? lastInput = null, lastRawAb = null, previousRawAb = null, previousOutputAb = null;
        var counts = new FrameCounts();
        bool stopped = false;
        int frames = 0, written = 0, flickerFrames = 0, rawFlickerFrames = 0;
        double rawFlicker = 0, outputFlicker = 0;
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        // The first frames carry the start-up (the decoder's, the first forward pass's), so the time left is estimated
        // from the speed after them, and only once enough frames have been timed to mean something.
        TimeSpan? warmedUpAt = null;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (!capture.Read(frame) || frame.Empty())
                    break;
                var role = plan.RoleOf(frames);
                if (role == FrameRole.Stop)
                {
                    stopped = true;
                    break;
                }
                if (role == FrameRole.Skip)
                {
                    // Done in an earlier run: only decoded, and the colour starts afresh after it.
                    stabilizer.Reset();
                    previousRawAb?.Dispose();
                    previousRawAb = null;
                    previousOutputAb?.Dispose();
                    previousOutputAb = null;
                    frames++;
                    continue;
                }
                if (role == FrameRole.Write)
                    await plan.StartFrameAsync(frames, counts, ct).ConfigureAwait(false);
                ToBgr(frame, bgr, width, height);
                // A header over the reused buffer: disposing the image leaves the buffer for the next frame. Each frame is
                // repaired (as a photo would be) before anything reads its lightness; a repaired frame is a new image.
                using var image = PhotoRestorer.Apply(
                    new DecodedImage(new Mat(bgr, new Rect(0, 0, width, height)), null, ImageFormat.Png, hasColor: false), colorization.Restoration);
                using var input = LabPipeline.NetworkInput(image, renderSize);

                var motion = stabilizer.Observe(input);
                Mat? rawAb = null;
                Mat outputAb;
                // A segment starts with a key frame, so that it does not depend on how the frames before it were coloured;
                // warm-up frames are all key frames, so that the blend has settled over several predictions by then, as
                // it has in a run that went through those frames without stopping.
                if (schedule.IsKeyFrame(motion, force: plan.StartsSegment(frames) || role == FrameRole.WarmUp))
                {
                    bool writes = role == FrameRole.Write;
                    if (writes)
                        counts.KeyFrames++;
                    // Near-identical frames (a static shot) reuse the last prediction: at most one pass per frame.
                    if (lastInput is not null && lastRawAb is not null && MeanAbsoluteDifference(lastInput, input) < options.SkipThreshold)
                    {
                        rawAb = lastRawAb.Clone();
                    }
                    else
                    {
                        var prediction = await engine.PredictInputAsync(input, ct).ConfigureAwait(false);
                        if (writes)
                            counts.Passes++;
                        rawAb = prediction.DecodeAb(engine.Bins, colorization.Temperature, colorization.Saturation);
                        lastInput?.Dispose();
                        lastInput = input.Clone();
                        lastRawAb?.Dispose();
                        lastRawAb = rawAb.Clone();
                    }
                    outputAb = stabilizer.Blend(rawAb);
                }
                else
                {
                    // Between key frames the colour is the previous frame's, carried along the flow.
                    outputAb = stabilizer.Carry();
                }

                bool cut = motion.SceneCut;
                if (cut && role == FrameRole.Write)
                    counts.Cuts++;
                if (previousOutputAb is not null && !cut && role == FrameRole.Write)
                {
                    outputFlicker += MeanAbsoluteDifference(previousOutputAb, outputAb);
                    flickerFrames++;
                    if (previousRawAb is not null && rawAb is not null)
                    {
                        rawFlicker += MeanAbsoluteDifference(previousRawAb, rawAb);
                        rawFlickerFrames++;
                    }
                }
                previousRawAb?.Dispose();
                previousRawAb = rawAb;
                previousOutputAb?.Dispose();
                previousOutputAb = outputAb;

                if (role == FrameRole.Write)
                {
                    LabPipeline.Compose(image, outputAb, colored);
                    await plan.WriteAsync(frames, colored, ct).ConfigureAwait(false);
                    written++;
                }
                frames++;
                if (written == EtaWarmUpFrames && role == FrameRole.Write)
                    warmedUpAt = clock.Elapsed;

                if (progress is not null && (clock.Elapsed - lastReport > TimeSpan.FromMilliseconds(500) || frames == announced))
                {
                    lastReport = clock.Elapsed;
                    double speed = written / Math.Max(0.001, clock.Elapsed.TotalSeconds);
                    TimeSpan? remaining = null;
                    if (warmedUpAt is { } since && written - EtaWarmUpFrames >= EtaTimedFrames && announced > frames)
                    {
                        speed = (written - EtaWarmUpFrames) / Math.Max(0.001, (clock.Elapsed - since).TotalSeconds);
                        remaining = TimeSpan.FromSeconds((announced - frames) / speed);
                    }
                    progress.Report(new VideoProgress(frames, announced, speed, remaining));
                }
            }
        }
        finally
        {
            lastInput?.Dispose();
            lastRawAb?.Dispose();
            previousRawAb?.Dispose();
            previousOutputAb?.Dispose();
        }

        if (frames == 0)
            throw new InvalidVideoException($"{name} has no frames that can be decoded: it is damaged or empty.");
        // Containers announce their frame count; a file that ends far short of it was cut off.
        if (announced > 0 && frames < announced * 0.9 - 1 && !stopped)
            throw new InvalidVideoException($"{name} ends after {frames} of its {announced} frames: it is truncated or damaged.");
        progress?.Report(new VideoProgress(frames, Math.Max(frames, announced), written / Math.Max(0.001, clock.Elapsed.TotalSeconds), TimeSpan.Zero));
        _logger.LogInformation("Colorized {Written} of the {Frames} frames of {Name} with {KeyFrames} key frames, {Passes} network passes and {Cuts} scene cuts in {Elapsed:0.0} s",
            written, frames, name, counts.KeyFrames, counts.Passes, counts.Cuts, clock.Elapsed.TotalSeconds);
        return new VideoResult(frames, width, height, fps, counts.Passes, counts.Cuts,
            rawFlickerFrames > 0 ? rawFlicker / rawFlickerFrames : 0, flickerFrames > 0 ? outputFlicker / flickerFrames : 0, false, null)
        {
            KeyFrames = counts.KeyFrames,
        };
    }

    // Frames come as BGR 8-bit from FFmpeg; a stream whose size changes midway is scaled to the first size, so the
    // encoder always gets what it was opened with.
    private static void ToBgr(Mat frame, Mat bgr, int width, int height)
    {
        var source = frame;
        using var converted = frame.Channels() == 3 ? null : new Mat();
        if (converted is not null)
        {
            Cv2.CvtColor(frame, converted, frame.Channels() == 1 ? ColorConversionCodes.GRAY2BGR : ColorConversionCodes.BGRA2BGR);
            source = converted;
        }
        if (source.Cols != width || source.Rows != height)
            Cv2.Resize(source, bgr, new Size(width, height), 0, 0, InterpolationFlags.Area);
        else
            source.CopyTo(bgr);
    }

    private static double MeanAbsoluteDifference(Mat first, Mat second)
    {
        using var difference = new Mat();
        Cv2.Absdiff(first, second, difference);
        var mean = Cv2.Mean(difference);
        int channels = first.Channels();
        return channels == 2 ? (mean.Val0 + mean.Val1) / 2 : mean.Val0;
    }

    internal static bool HasAudio(string path)
    {
        // ffprobe tells reliably; without it, assume the audio map found nothing to copy.
        string? ffmpeg = Ffmpeg.Locate();
        string ffprobe = ffmpeg is null ? "" : Path.Combine(Path.GetDirectoryName(ffmpeg)!, "ffprobe");
        if (!File.Exists(ffprobe))
            return false;
        var start = new ProcessStartInfo(ffprobe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0", path })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start);
        if (process is null)
            return false;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit(10_000);
        return output.Trim().Length > 0;
    }
}
