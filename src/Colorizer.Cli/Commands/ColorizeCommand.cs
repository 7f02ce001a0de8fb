using System.CommandLine;
using System.Diagnostics;
using System.Threading.Channels;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.IO;
using Colorizer.Core.Imaging;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Restoration;
using Colorizer.Core.Video;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Cli.Commands;

/// <summary><c>colorizer colorize &lt;inputs...&gt; --output &lt;dir&gt;</c></summary>
internal static class ColorizeCommand
{
    // Above the library's 92: most JPEG outputs mirror a JPEG input, and a second lossy generation should cost little.
    public const int CliJpegQuality = 95;

    public static Command Create(TextWriter output, TextWriter error)
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "Image files, or folders to search recursively (JPEG, PNG, WebP, BMP, TIFF).",
            Arity = ArgumentArity.OneOrMore,
        };
        var outputDirectory = new Option<string>("--output", "-o")
        {
            Description = "The folder for the results (created if needed); each is named after its input.",
            Required = true,
        };
        var temperature = new Option<double>("--temperature", "-t")
        {
            Description = "Annealed-mean temperature in (0, 1]; lower is more vivid.",
            DefaultValueFactory = _ => ColorizationOptions.DefaultTemperature,
        };
        var saturation = new Option<double>("--saturation", "-s")
        {
            Description = "Multiplier on the predicted colour, 0 to 2.",
            DefaultValueFactory = _ => 1.0,
        };
        var renderSize = new Option<int>("--render-size", "-r")
        {
            Description = "Side of the network input: a multiple of 8 from 128 to 1024. Larger keeps finer colour detail, at a higher cost.",
            DefaultValueFactory = _ => ColorizationOptions.DefaultRenderSize,
        };
        var format = new Option<string?>("--format", "-f")
        {
            Description = "Output format (default: as the input: JPEG for JPEG inputs, TIFF for TIFF inputs, PNG for the others).",
        };
        format.AcceptOnlyFromAmong("png", "jpg", "jpeg", "webp", "tiff", "tif");
        var tiffCompression = new Option<string>("--tiff-compression")
        {
            Description = "How TIFF results are compressed: deflate (smaller) or lzw (for older readers). Both are lossless.",
            DefaultValueFactory = _ => "deflate",
        };
        tiffCompression.AcceptOnlyFromAmong("deflate", "lzw");
        var metadata = new Option<string>("--metadata")
        {
            Description = "What of the input's metadata (EXIF, XMP, IPTC, ICC profile, resolution) each result keeps: keep, " +
                "strip-location (everything but GPS) or strip (nothing). Every result is marked as colorized either way.",
            DefaultValueFactory = _ => MetadataModeNames.Keep,
        };
        metadata.AcceptOnlyFromAmong([.. MetadataModeNames.All]);
        var quality = new Option<int?>("--quality", "-q")
        {
            Description = $"JPEG or WebP quality, 1 to 100 (default {CliJpegQuality} for JPEG, 90 for WebP).",
        };

        var restore = new Option<string?>("--restore")
        {
            Description = "Repair the photo's lightness before colorizing (images and videos): a comma-separated list of dust, " +
                "scratches, noise and contrast (e.g. --restore dust,noise). None by default.",
        };
        var restoreStrength = new Option<double>("--restore-strength")
        {
            Description = "How strong the noise and contrast repairs are, 0 to 1.",
            DefaultValueFactory = _ => RestorationOptions.DefaultStrength,
        };

        var shard = new Option<string?>("--shard")
        {
            Description = "Process only part INDEX of COUNT of the inputs (e.g. 2/8), split deterministically by path, for spreading a large archive over many machines.",
        };

        var noStabilize = new Option<bool>("--no-stabilize")
        {
            Description = "Videos: colour each frame on its own instead of stabilizing the colour over time (flickers more).",
        };

        var keyFrames = new Option<string>("--key-frames")
        {
            Description = "Videos: on runs the network on key frames only and carries their colour along the motion to the frames between; off runs it on every frame.",
            DefaultValueFactory = _ => "on",
        };
        keyFrames.AcceptOnlyFromAmong("on", "off");
        var keyFrameInterval = new Option<int>("--key-frame-interval")
        {
            Description = $"Videos, with --key-frames on: the most frames from one key frame to the next, 1 to {VideoOptions.MaxKeyFrameInterval} " +
                "(sooner at cuts and when the scene has moved or changed enough).",
            DefaultValueFactory = _ => VideoOptions.DefaultKeyFrameInterval,
        };

        var restart = new Option<bool>("--restart")
        {
            Description = "Videos: discard what an interrupted earlier run of the same command finished, instead of resuming from it.",
        };
        var partOption = new Option<string?>("--part")
        {
            Description = "One video only: colorize the K-th of N equal spans of it (e.g. 3/32) into the output folder; " +
                "`colorizer join DIR --output FILE` joins the N parts once all are done.",
        };
        var segmentSeconds = new Option<double>("--segment-seconds")
        {
            Description = "Videos: the length of the segments a video is encoded in (and resumed from after an interruption), 1 to 60 seconds.",
            DefaultValueFactory = _ => VideoOptions.Default.SegmentSeconds,
        };

        var hints = new Option<string?>("--hints")
        {
            Description = "A colour hints JSON file for the one input image (a list of {\"x\", \"y\", \"radius\", \"color\": \"#rrggbb\"}, " +
                "in pixels of the upright image). For many images, put photo.hints.json next to photo.jpg instead: it is picked up by itself.",
        };
        var reference = new Option<string?>("--reference")
        {
            Description = "A colour photo of a similar scene: every image's colours are moved toward its palette.",
        };
        var transfer = new Option<string>("--transfer")
        {
            Description = "How --reference's colours are carried over: bands (shadows, mid-tones and highlights apart) or global.",
            DefaultValueFactory = _ => "bands",
        };
        transfer.AcceptOnlyFromAmong("bands", "global");

        var model = ModelOptions.CreateModel(
            $"The model: {ModelCatalogue.IdsText} (see `colorizer models`). The DDColor and DeOldify files are downloaded on first use (about 1 GB each).",
            withDefault: true);
        var modelSize = ModelOptions.CreateModelSize();

        var command = new Command("colorize", "Colorize images and videos (.mp4 .mov .avi .mkv .webm) into a folder.")
        {
            inputs, outputDirectory, temperature, saturation, renderSize, model, modelSize, format, quality, tiffCompression, metadata, restore,
            restoreStrength, shard, noStabilize, keyFrames, keyFrameInterval, restart, segmentSeconds, partOption, hints, reference, transfer,
        };
        command.SetAction(async (parse, ct) =>
        {
            var chosen = ModelCatalogue.Get(parse.GetValue(model)!);
            if (ModelOptions.Resolve(parse, chosen, renderSize, modelSize, parse.GetValue(temperature), parse.GetValue(saturation), out string? modelError)
                is not { } options)
            {
                error.WriteLine($"error: {modelError}");
                return ExitCodes.Usage;
            }
            if (!chosen.HasDistribution && parse.GetResult(temperature) is { Implicit: false })
                error.WriteLine($"warning: --temperature has no effect on {chosen.Id}: it predicts one colour per spot, not a distribution to sharpen.");
            if (!RestorationStepNames.TryParse(parse.GetValue(restore), out var steps, out string? unknownStep))
            {
                error.WriteLine($"error: --restore takes {RestorationStepNames.Choices}, separated by commas; got '{unknownStep}'.");
                return ExitCodes.Usage;
            }
            options = options with { Restoration = new RestorationOptions { Steps = steps, Strength = parse.GetValue(restoreStrength) } };
            OutputFormat? outputFormat = ImageEncoder.TryParseFormat(parse.GetValue(format), out var chosenFormat) ? chosenFormat : null;
            // AcceptOnlyFromAmong has refused anything else before the action runs.
            if (!MetadataModeNames.TryParse(parse.GetValue(metadata), out var metadataMode))
                throw new InvalidOperationException($"--metadata is not {MetadataModeNames.Choices}.");
            var encoder = EncoderOptions.Default with
            {
                JpegQuality = CliJpegQuality,
                Metadata = metadataMode,
                TiffCompression = parse.GetValue(tiffCompression) == "lzw" ? TiffCompression.Lzw : TiffCompression.Deflate,
            };
            if (parse.GetValue(quality) is int q)
                encoder = encoder with { JpegQuality = q, WebPQuality = q };
            var video = VideoOptions.Default with
            {
                Colorization = options,
                Stabilize = !parse.GetValue(noStabilize),
                KeyFrames = parse.GetValue(keyFrames) == "on",
                KeyFrameInterval = parse.GetValue(keyFrameInterval),
                // The CLI's videos can always be resumed: the same command again carries on where it was stopped.
                Resumable = true,
                Restart = parse.GetValue(restart),
                SegmentSeconds = parse.GetValue(segmentSeconds),
            };
            if (parse.GetValue(partOption) is { } partText)
            {
                if (VideoPart.Parse(partText, out string? partError) is not { } videoPart)
                {
                    error.WriteLine($"error: {partError}");
                    return ExitCodes.Usage;
                }
                var partInputs = parse.GetValue(inputs)!;
                if (partInputs.Length != 1 || !VideoFiles.IsVideo(partInputs[0]) || !File.Exists(partInputs[0]))
                {
                    error.WriteLine("error: --part takes exactly one input, a video file.");
                    return ExitCodes.Usage;
                }
                video = video with { Part = videoPart };
            }
            try
            {
                options.Validate();
                encoder.Validate();
                video.Validate();
            }
            catch (InvalidColorizationOptionException ex)
            {
                error.WriteLine(ex.OptionName switch
                {
                    ColorizationOptions.ModelSizeOption => $"error: --model-size: {ex.Message}",
                    nameof(VideoOptions.KeyFrameInterval) => $"error: --key-frame-interval: {ex.Message}",
                    nameof(VideoOptions.SegmentSeconds) => $"error: --segment-seconds: {ex.Message}",
                    _ => $"error: {ex.Message}",
                });
                return ExitCodes.Usage;
            }
            var part = Shard.All;
            if (parse.GetValue(shard) is { } shardText)
            {
                if (Shard.Parse(shardText, out string? shardError) is not { } parsed)
                {
                    error.WriteLine($"error: {shardError}");
                    return ExitCodes.Usage;
                }
                part = parsed;
            }

            // Hints and reference are read before anything is written: a bad one stops the run with a usage error.
            HintsOption? explicitHints = null;
            ReferencePalette? palette = null;
            try
            {
                if (parse.GetValue(hints) is { } hintsPath)
                    explicitHints = new HintsOption(hintsPath, HintsFiles.Read(hintsPath));
            }
            catch (InvalidHintsException ex)
            {
                error.WriteLine($"error: --hints {ex.Message}");
                return ExitCodes.Usage;
            }

            using var services = ColorizerCli.BuildServices(parse, error, warmUp: false);
            var host = services.GetRequiredService<ModelHost>();
            if (parse.GetValue(reference) is { } referencePath)
            {
                try
                {
                    palette = ReadReference(referencePath, host.Limits);
                }
                catch (InvalidHintsException ex)
                {
                    error.WriteLine($"error: --reference {referencePath}: {ex.Message}");
                    return ExitCodes.Usage;
                }
            }

            var run = new ColorizeRun(host, output, error)
            {
                Model = chosen,
                Library = services.GetRequiredService<ModelLibrary>(),
                Video = video,
                Hints = explicitHints,
                Reference = palette,
                Transfer = parse.GetValue(transfer) == "global" ? ReferenceTransferMode.Global : ReferenceTransferMode.LuminanceBands,
            };
            return await run.ExecuteAsync(parse.GetValue(inputs)!, parse.GetValue(outputDirectory)!, options, outputFormat, encoder, part, ct);
        });
        return command;
    }

    private static ReferencePalette ReadReference(string path, DecodeLimits limits)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            throw new InvalidHintsException($"the reference photo cannot be read: {reason}", ex) { ConcernsReference = true };
        }
        return ReferencePalette.FromEncoded(bytes, limits);
    }
}

/// <summary>The hints given with <c>--hints</c>, and the file they came from.</summary>
internal sealed record HintsOption(string Path, IReadOnlyList<ColorHint> Hints);

/// <summary>
/// One run of <c>colorize</c> over many inputs: a bad file is reported and skipped, the rest are done. Images go through a
/// two-stage pipeline: while one image is rendered, encoded and written, the next is read, decoded, prepared and run
/// through the network. At most one image waits between the stages, so memory stays at about two images.
/// </summary>
internal sealed class ColorizeRun(ModelHost host, TextWriter output, TextWriter error)
{
    /// <summary>How videos are colorized.</summary>
    public VideoOptions Video { get; init; } = VideoOptions.Default;

    /// <summary>The model every image and video is colorized with; the 2016 network by default.</summary>
    public ColorModel Model { get; init; } = ModelCatalogue.Eccv16;

    /// <summary>Where a model other than the 2016 network comes from; needed for one.</summary>
    public ModelLibrary? Library { get; init; }

    // The one load (and download, if needed) of a DDColor or DeOldify model for the whole run.
    private Task<ModelLease>? _lease;
    private DownloadReporter? _downloadReport;

    private async Task<ColorizationEngine> EngineAsync(CancellationToken ct)
    {
        if (!Model.IsOnnxFile)
            return await host.GetEngineAsync(ct);
        var library = Library ?? throw new InvalidOperationException($"The {Model.Id} model needs the model library.");
        // Not cancelled with one file: the load serves every file of the run.
        _lease ??= library.AcquireAsync(Model, _downloadReport, CancellationToken.None);
        return (await _lease.WaitAsync(ct)).Engine;
    }

    /// <summary>The hints of <c>--hints</c>, for a run over exactly one image; null to look for sidecar files.</summary>
    public HintsOption? Hints { get; init; }

    /// <summary>The palette of <c>--reference</c>, applied to every image; null for none.</summary>
    public ReferencePalette? Reference { get; init; }

    /// <summary>How <see cref="Reference"/> is applied.</summary>
    public ReferenceTransferMode Transfer { get; init; } = ReferenceTransferMode.LuminanceBands;

    /// <summary>Colorizes every image and video found in <paramref name="inputs"/> into <paramref name="outputDirectory"/>; returns the exit code.</summary>
    /// <param name="inputs">Files and folders, as given.</param>
    /// <param name="outputDirectory">Where the results go (created if needed).</param>
    /// <param name="options">The colorization options for every image and frame.</param>
    /// <param name="format">The output format, or null to follow each input's (JPEG stays JPEG, TIFF stays TIFF, anything else becomes PNG).</param>
    /// <param name="encoder">The encoder's quality settings.</param>
    /// <param name="shard">This process's share of the inputs.</param>
    /// <param name="ct">Ctrl+C.</param>
    public async Task<int> ExecuteAsync(string[] inputs, string outputDirectory, ColorizationOptions options,
        OutputFormat? format, EncoderOptions encoder, Shard shard, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var (allFiles, missing) = InputFiles.Collect(inputs);
        // Output names are decided over all the inputs before sharding, so shards writing into one folder agree.
        var allFormats = allFiles.Select(f => format ?? InputFiles.FollowingFormat(f)).ToList();
        var allOutputs = InputFiles.OutputPaths(allFiles, outputDirectory, allFormats);
        var mine = Enumerable.Range(0, allFiles.Count).Where(i => shard.Contains(allFiles[i])).ToList();
        var files = mine.Select(i => allFiles[i]).ToList();
        var outputs = mine.Select(i => allOutputs[i]).ToList();
        var formats = mine.Select(i => allFormats[i]).ToList();
        if (shard.Count > 1)
            output.WriteLine($"Shard {shard.Index}/{shard.Count}: {files.Count} of {allFiles.Count} images.");
        foreach (var path in missing)
            error.WriteLine($"error: {path}: no such file or folder");
        if (allFiles.Count == 0)
        {
            error.WriteLine("error: no images to colorize (looked for .jpg, .jpeg, .png, .webp, .bmp, .tif, .tiff).");
            return ExitCodes.SomeFailed;
        }
        if (Hints is not null && (allFiles.Count != 1 || VideoFiles.IsVideo(allFiles[0])))
        {
            string found = allFiles.Count == 1 ? $"{allFiles[0]} is a video" : $"the inputs hold {allFiles.Count} files";
            error.WriteLine($"error: --hints applies to exactly one input image, but {found}. For many images, put each one's hints " +
                $"next to it as <name>{HintsFiles.SidecarSuffix} (photo.jpg -> photo{HintsFiles.SidecarSuffix}).");
            return ExitCodes.Usage;
        }
        if (files.Count == 0)
            return missing.Count > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;

        // Every image's hints are read before anything is written: a bad hints file stops the run.
        var hintsFiles = new string?[files.Count];
        var hints = new IReadOnlyList<ColorHint>[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            hints[i] = [];
            if (VideoFiles.IsVideo(files[i]))
                continue;
            if (Hints is not null)
            {
                (hintsFiles[i], hints[i]) = (Hints.Path, Hints.Hints);
                continue;
            }
            string sidecar = HintsFiles.SidecarFor(files[i]);
            if (!File.Exists(sidecar))
                continue;
            try
            {
                (hintsFiles[i], hints[i]) = (sidecar, HintsFiles.Read(sidecar));
            }
            catch (InvalidHintsException ex)
            {
                error.WriteLine($"error: hints for {files[i]}: {ex.Message}");
                return ExitCodes.Usage;
            }
        }
        if (Reference is not null && files.Any(VideoFiles.IsVideo))
            error.WriteLine("warning: --reference applies to images only; videos are colorized without it.");

        Directory.CreateDirectory(outputDirectory);
        // Leftovers of a run that was killed while writing; young ones may belong to another run (another shard).
        int cleaned = AtomicFile.CleanLeftovers(outputDirectory, TimeSpan.FromMinutes(15));
        if (cleaned > 0)
            error.WriteLine($"Removed {cleaned} unfinished file(s) left in {outputDirectory} by an interrupted run.");
        var downloadReport = new DownloadReporter(error);
        host.DownloadProgress = downloadReport;
        _downloadReport = downloadReport;
        // Load the network while the first image is read, decoded and prepared: it shortens the time to the first result.
        if (Model.IsOnnxFile)
            _ = EngineAsync(CancellationToken.None).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // failures surface per file
        else
            _ = host.StartAsync();

        int failed = missing.Count, done = 0;
        bool badHints = false;
        bool showProgress = files.Count > 1;
        string Prefix(int i) => showProgress ? $"[{i + 1}/{files.Count}] " : "";
        // Capacity 1, and the front waits until its item is taken before starting the next: one image is finished
        // while the next runs through the network, and no more than that is held.
        var channel = Channel.CreateBounded<Prepared>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var front = Task.Run(() => PrepareAllAsync(files, options, channel.Writer, stop.Token), CancellationToken.None);
        var sinceLast = Stopwatch.StartNew();
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(ct))
            {
                using var owned = item;
                int i = item.Index;
                try
                {
                    if (item.Error is { } failure)
                        throw failure;
                    if (item.Result is not { } result)
                    {
                        var video = await ColorizeVideoAsync(files[i], outputs[i], Prefix(i), ct);
                        done++;
                        string target = Video.Part is { } part ? $"{VideoParts.FolderFor(outputDirectory, files[i])} (part {part})" : outputs[i];
                        output.WriteLine($"{Prefix(i)}{files[i]} -> {target} " +
                            $"({video.Frames} frames, {video.Width}×{video.Height}, {video.FramesPerSecond:0.###} fps, " +
                            $"{video.ForwardPasses} network passes, {sinceLast.Elapsed.TotalSeconds:0.0} s" +
                            (video.ResumedFrames > 0 ? $", resumed: {video.ResumedFrames} frames were done" : "") + ")");
                        if (video.Warning is not null)
                            error.WriteLine($"warning: {files[i]}: {video.Warning}");
                        continue;
                    }
                    var guidance = new ColorGuidance { Hints = hints[i], Reference = Reference, TransferMode = Transfer };
                    if (!guidance.IsEmpty)
                    {
                        try
                        {
                            result.Guide(guidance);
                        }
                        catch (InvalidHintsException ex)
                        {
                            // The hints were fine as JSON but do not fit this image (a point outside it).
                            badHints = true;
                            throw new InvalidHintsException($"hints {hintsFiles[i]}: {ex.Message}", ex);
                        }
                    }
                    await result.SaveAsync(outputs[i], formats[i], encoder, ct);
                    done++;
                    string note = result.InputHadColor ? " (input was already in colour: colorized from its luminance)" : "";
                    if (hints[i].Count > 0)
                        note += $" ({hints[i].Count} hint{(hints[i].Count == 1 ? "" : "s")} from {hintsFiles[i]})";
                    output.WriteLine($"{Prefix(i)}{files[i]} -> {outputs[i]} ({sinceLast.Elapsed.TotalSeconds:0.00} s){note}");
                }
                catch (Exception ex) when (IsPerFile(ex))
                {
                    failed++;
                    error.WriteLine($"{Prefix(i)}error: {files[i]}: {ex.Message}");
                }
                finally
                {
                    sinceLast.Restart();
                }
            }
            // The front's own failure (the model, a cancellation) surfaces here.
            await front;
        }
        catch (Exception ex) when (ex is ColorizerException or OperationCanceledException)
        {
            await stop.CancelAsync();
            // Whatever the front still made is freed; its own exception is the one reported, or this one.
            var reported = ex;
            try
            {
                await front;
            }
            catch (Exception frontError) when (frontError is ColorizerException && ex is not ColorizerException)
            {
                reported = frontError;
            }
            catch (Exception frontError) when (frontError is ColorizerException or OperationCanceledException)
            {
                // Already reporting ex.
            }
            while (channel.Reader.TryRead(out var left))
                left.Dispose();
            error.WriteLine(ErrorText.For(reported));
            return ExitCodes.For(reported);
        }

        if (showProgress || failed > 0)
        {
            output.WriteLine($"Colorized {done} of {files.Count + missing.Count} images into {outputDirectory} in {clock.Elapsed.TotalSeconds:0.0} s" +
                (failed > 0 ? $"; {failed} failed." : "."));
        }
        // --hints that do not fit its one image are a bad option; a sidecar that does not fit fails only its image.
        return badHints && Hints is not null ? ExitCodes.Usage : failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }

    private static bool IsPerFile(Exception ex) => ex is UnsupportedImageFormatException or InvalidImageException
        or ImageTooLargeException or ImageTooComplexException or InvalidHintsException or InvalidVideoException or InferenceFailedException or IOException or UnauthorizedAccessException;

    /// <summary>An image through the network (or why not), or a video to do in order.</summary>
    private sealed record Prepared(int Index, ColorizedImage? Result, Exception? Error) : IDisposable
    {
        public void Dispose() => Result?.Dispose();
    }

    // The front stage: read, decode, prepare the network input and run the network, image after image, in order.
    // A file that cannot be read or decoded travels as its error, so the report stays in order.
    private async Task PrepareAllAsync(List<string> files, ColorizationOptions options, ChannelWriter<Prepared> writer, CancellationToken ct)
    {
        try
        {
            for (int i = 0; i < files.Count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var item = VideoFiles.IsVideo(files[i]) ? new Prepared(i, null, null) : await ColorizeImageAsync(i, files[i], options, ct);
                try
                {
                    await writer.WriteAsync(item, ct);
                }
                catch
                {
                    item.Dispose();
                    throw;
                }
                if (i + 1 < files.Count)
                    await writer.WaitToWriteAsync(ct);
            }
        }
        finally
        {
            writer.Complete();
        }
    }

    private async Task<Prepared> ColorizeImageAsync(int index, string path, ColorizationOptions options, CancellationToken ct)
    {
        DecodedImage? image = null;
        try
        {
            byte[] bytes = await File.ReadAllBytesAsync(path, ct);
            image = ImageDecoder.Decode(bytes, host.Limits);
            image = PhotoRestorer.Apply(image, options.Restoration);
            // Prepared before waiting for the model: for the first image this overlaps the network's loading.
            using var input = NetworkInput.Prepare(image, options.RenderSize);
            var engine = await EngineAsync(ct);
            var owned = image;
            image = null; // ColorizeAsync owns it from here, on success and on failure.
            return new Prepared(index, await engine.ColorizeAsync(owned, input, options, ct), null);
        }
        catch (Exception ex) when (IsPerFile(ex))
        {
            return new Prepared(index, null, ex);
        }
        finally
        {
            image?.Dispose();
        }
    }

    private async Task<VideoResult> ColorizeVideoAsync(string input, string outputPath, string prefix, CancellationToken ct)
    {
        var engine = await EngineAsync(ct);
        var lastLine = DateTime.MinValue;
        var progress = new SynchronousProgress<VideoProgress>(p =>
        {
            if (DateTime.UtcNow - lastLine < TimeSpan.FromSeconds(2) && p.Remaining != TimeSpan.Zero)
                return;
            lastLine = DateTime.UtcNow;
            string total = p.TotalFrames > 0 ? $"/{p.TotalFrames}" : "";
            string eta = p.Remaining is { } remaining && remaining > TimeSpan.Zero ? $", ETA {remaining:hh\\:mm\\:ss}" : "";
            output.WriteLine($"{prefix}{Path.GetFileName(input)}: {p.FramesDone}{total} frames, {p.FramesPerSecond:0.0} fps{eta}");
        });
        return await new VideoColorizer(engine).ColorizeAsync(input, outputPath, Video, progress, ct);
    }
}
