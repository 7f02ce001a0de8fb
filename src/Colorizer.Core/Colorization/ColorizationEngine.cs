using System.Diagnostics;
using System.Security.Cryptography;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Models.Onnx;
using Colorizer.Core.Restoration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;

namespace Colorizer.Core.Colorization;

/// <summary>
/// The colorization network, loaded once per process and run by one of the <see cref="InferenceBackend"/>s. Forward
/// passes are gated: one at a time on OpenCV (its <c>Net</c> is not thread-safe), two on ONNX Runtime (whose sessions
/// take concurrent runs, so a small photo's pass need not wait for a large one's; the sessions run without ORT's
/// memory arena, so overlapping runs do not leave it grown: docs/operations.md); decoding, pre- and post-processing
/// run outside the gate, so concurrent callers overlap them with the network. Every call takes a
/// cancellation token, checked between stages (a native call cannot be interrupted).
/// </summary>
public sealed class ColorizationEngine : IDisposable
{
    private readonly IColorizationNetwork _network;
    private readonly SemaphoreSlim _gate;
    private readonly int _passes;
    private readonly BackgroundPassThread? _background;
    private int _disposing;
    private readonly ILogger _logger;
    private bool _disposed;

    private ColorizationEngine(IColorizationNetwork network, InferenceBackend backend, BinCentres bins, string modelsDirectory, ILogger logger,
        ColorModel? model = null)
    {
        _network = network;
        _passes = Math.Max(1, network.ConcurrentForwardPasses);
        _gate = new SemaphoreSlim(_passes, _passes);
        // Two passes at once: an expensive one runs at a lower priority, so that an ordinary one beside it gets the cores.
        _background = _passes > 1 ? new BackgroundPassThread($"{model?.Id ?? "eccv16"} expensive passes") : null;
        Model = model ?? ModelCatalogue.Eccv16;
        Backend = backend;
        Bins = bins;
        ModelsDirectory = modelsDirectory;
        _logger = logger;
    }

    /// <summary>The model this engine runs.</summary>
    public ColorModel Model { get; }

    /// <summary>The options used when a call gives none: the model's id and default input size.</summary>
    public ColorizationOptions DefaultOptions => Model.HasDistribution ? ColorizationOptions.Default : ColorizationOptions.For(Model);

    /// <summary>The side an ONNX file fixes for its input (it is run at that size whatever is asked), or null.</summary>
    public int? FixedInputSize => (_network as OnnxChromaNetwork)?.FixedSize;

    /// <summary>The backend that runs the network.</summary>
    public InferenceBackend Backend { get; }

    /// <summary>The runtime behind <see cref="Backend"/>, with its version, for logs and reports ("OpenCV 4.13.0 DNN").</summary>
    public string Runtime => _network.Runtime;

    /// <summary>The ab bin centres in use.</summary>
    public BinCentres Bins { get; }

    /// <summary>The model and its runtime, as results name it in their metadata.</summary>
    public string ModelName => $"{Model.Id}: {Model.Name}, {Model.FileName}, on {Runtime}";

    /// <summary>The folder the model was loaded from.</summary>
    public string ModelsDirectory { get; }

    /// <summary>How many forward passes this engine has run (warm-up included); re-renders never add to it.</summary>
    public long ForwardPassCount => Interlocked.Read(ref _forwardPasses);

    private long _forwardPasses;

    /// <summary>True once <see cref="WarmUp"/> has run.</summary>
    public bool IsWarm { get; private set; }

    /// <summary>
    /// Loads the model from a folder holding <c>colorization_release_v2.caffemodel</c> and, optionally, the upstream
    /// prototxt and <c>pts_in_hull.npy</c> (built-in copies are used when they are absent), onto
    /// <paramref name="backend"/>. Checks every file's structure first and throws <see cref="ModelFilesException"/>
    /// naming the file and what was expected. Weights that differ from the release are used, with a warning.
    /// </summary>
    /// <param name="modelsDirectory">The models folder.</param>
    /// <param name="logger">Where the load, the runtime and a custom-weights warning are logged.</param>
    /// <param name="backend">The runtime that runs the network.</param>
    /// <param name="threads">
    /// The runtime's thread count; 0 leaves its default. For OpenCV this is <see cref="Cv2.SetNumThreads"/>, which
    /// holds for the whole process (its image processing too); for ONNX Runtime, the session's intra-op threads.
    /// </param>
    /// <param name="precision">FP32, or INT8 (ONNX backend only: an <see cref="ArgumentException"/> otherwise).</param>
    public static ColorizationEngine Load(string modelsDirectory, ILogger? logger = null,
        InferenceBackend backend = InferenceBackendDefaults.Default, int threads = 0, InferencePrecision precision = InferencePrecision.Fp32)
    {
        if (precision != InferencePrecision.Fp32 && backend != InferenceBackend.Onnx)
            throw new ArgumentException($"{precision} precision needs the ONNX backend.", nameof(precision));
        logger ??= NullLogger.Instance;
        if (!Enum.IsDefined(backend))
            throw new ArgumentOutOfRangeException(nameof(backend), backend, $"Not a backend; use {InferenceBackendNames.Choices}.");
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        var clock = Stopwatch.StartNew();
        string directory = Path.GetFullPath(modelsDirectory);
        string weights = Path.Combine(directory, ModelFileNames.Weights);
        if (!File.Exists(weights))
            throw new ModelFilesException(ModelFileNames.Weights,
                $"The model weights are missing. {WeightsRelease.Official.DescribeManualDownload(weights)}")
            {
                MissingWeights = WeightsRelease.Official.MissingAt(weights, MissingWeightsCause.Absent),
            };

        string prototxtPath = Path.Combine(directory, ModelFileNames.Prototxt);
        var network = File.Exists(prototxtPath)
            ? NetworkDescription.Parse(File.ReadAllText(prototxtPath), prototxtPath)
            : NetworkDescription.Release;
        network.EnsureColorizationNetwork();
        network = network.WithoutDecodingTail();

        string npyPath = Path.Combine(directory, ModelFileNames.BinCentres);
        var bins = File.Exists(npyPath) ? BinCentres.ReadNpy(npyPath) : BinCentres.Release;

        var blobs = CaffeModelInspector.ReadLayerBlobCounts(weights);
        foreach (var layer in network.Layers.Where(l => l.HasWeights))
        {
            if (!blobs.TryGetValue(layer.Name, out int count) || count == 0)
                throw new ModelFilesException(weights,
                    $"{weights} has no weights for layer '{layer.Name}' ({layer.Type}) of {network.SourceName}. " +
                    $"It is not the colorization model's weights file, or does not match the network description.");
        }

        var hashCheck = Task.Run(() => WarnIfNotRelease(weights, logger));
        IColorizationNetwork net;
        try
        {
            net = backend switch
            {
                InferenceBackend.Onnx => OnnxColorizationNetwork.Load(network, weights, threads, logger, precision),
                InferenceBackend.OpenCv => OpenCvColorizationNetwork.Load(network, weights, threads, logger),
                _ => throw new UnreachableException(),
            };
        }
        catch
        {
            // The check reads the whole file: let it end before the caller deletes or replaces the file. Its own
            // failure, if any, is beside the point now.
            try
            {
                hashCheck.Wait();
            }
            catch (AggregateException)
            {
            }
            throw;
        }
        try
        {
            hashCheck.Wait();
        }
        catch
        {
            net.Dispose();
            throw;
        }
        logger.LogInformation("Loaded the colorization model from {Directory} on {Runtime} ({Backend} backend) in {Elapsed} ms",
            directory, net.Runtime, InferenceBackendNames.Of(backend), clock.ElapsedMilliseconds);
        return new ColorizationEngine(net, backend, bins, directory, logger);
    }

    /// <summary>
    /// Loads a DDColor or DeOldify model from its ONNX file in <paramref name="modelsDirectory"/> on ONNX Runtime. The
    /// file's inputs and outputs are checked against its type's contract (a mismatch, or a file ONNX Runtime cannot
    /// load, is <see cref="ModelFilesException"/> naming the file, what was expected and what was found). When the
    /// published CRC-32 (<c>&lt;name&gt;.hash</c>) lies beside the file and differs, the file is used as custom
    /// weights, with a warning.
    /// </summary>
    public static ColorizationEngine LoadOnnxModel(ColorModel model, string modelsDirectory, ILogger? logger = null, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsOnnxFile)
            throw new ArgumentException($"{model.Id} is not an ONNX model; use Load.", nameof(model));
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        logger ??= NullLogger.Instance;
        var clock = Stopwatch.StartNew();
        string directory = Path.GetFullPath(modelsDirectory);
        string path = Path.Combine(directory, model.FileName);
        if (!File.Exists(path))
            throw new ModelFilesException(model.FileName, $"The {model.Name} model file {path} is missing.");
        var hashCheck = Task.Run(() => OnnxModelFile.WarnIfNotPublished(model, path, logger));
        OnnxChromaNetwork network;
        try
        {
            network = OnnxChromaNetwork.Load(path, model.Type, threads, logger);
        }
        finally
        {
            // The check reads the whole file: let it end before the caller deletes or replaces it.
            try
            {
                hashCheck.Wait();
            }
            catch (AggregateException)
            {
            }
        }
        logger.LogInformation("Loaded the {Model} model from {Path} on {Runtime} in {Elapsed} ms", model.Id, path, network.Runtime, clock.ElapsedMilliseconds);
        return new ColorizationEngine(network, InferenceBackend.Onnx, BinCentres.Release, directory, logger, model);
    }

    private static void WarnIfNotRelease(string weights, ILogger logger)
    {
        var release = WeightsRelease.Official;
        long size = new FileInfo(weights).Length;
        if (size != release.Size)
        {
            logger.LogWarning("{Weights} is {Size:N0} bytes, not the release's {ReleaseSize:N0}: using it as custom weights", weights, size, release.Size);
            return;
        }
        using var stream = File.OpenRead(weights);
        string hash = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (hash != release.Sha256)
            logger.LogWarning("{Weights} has SHA-256 {Hash}, not the release's {ReleaseHash}: using it as custom weights", weights, hash, release.Sha256);
    }

    /// <summary>
    /// Runs one forward pass at <paramref name="renderSize"/>, because a runtime's first pass at a size is slower than
    /// the rest (OpenCV's by 1–2 s: it allocates and tunes its buffers).
    /// </summary>
    public void WarmUp(int renderSize = ColorizationOptions.DefaultRenderSize)
    {
        var clock = Stopwatch.StartNew();
        using var input = new Mat(renderSize, renderSize, MatType.CV_32FC1, Scalar.All(0));
        Forward(input);
        IsWarm = true;
        _logger.LogInformation("Warmed up the network at {Size}×{Size} in {Elapsed} ms", renderSize, renderSize, clock.ElapsedMilliseconds);
    }

    /// <summary>
    /// Runs the pre- and post-processing once on a tiny image, so their first real use does not pay for JIT
    /// compilation (a few hundred milliseconds). Needs no network; hosts run it while the network loads.
    /// </summary>
    public static void PrimeCodePaths()
    {
        using var image = new DecodedImage(new Mat(16, 16, MatType.CV_8UC1, Scalar.All(128)), null, ImageFormat.Png, hasColor: false);
        using var input = LabPipeline.NetworkInput(image, ColorizationOptions.MinRenderSize);
        var prediction = new ChromaPrediction(new float[NetworkDescription.BinCount * 4], 2, 2, 8);
        using var ab = prediction.DecodeAb(BinCentres.Release, ColorizationOptions.DefaultTemperature, 1.0);
        using var composed = LabPipeline.Compose(image, ab);
        using var bgr = new Mat(16, 16, MatType.CV_8UC3, Scalar.All(128));
        ColorDetector.HasColor(bgr);
        ImageEncoder.Encode(composed, OutputFormat.Png);
        // The colour guide too: its first hint would otherwise pay for JIT and ximgproc's first call.
        using var guided = GuidedChroma.Create(image);
        using var lab = ColorTransfer.LabAt(image, 16);
        var guidance = new ColorGuidance { Hints = [new ColorHint(8, 8, 2, new LabColor(50, 20, 20))], Reference = ReferencePalette.FromLab(lab) };
        using var hinted = guided.Apply(ab, guidance);
    }

    /// <summary>Decodes <paramref name="encoded"/> and colorizes it. The caller owns the result.</summary>
    public async Task<ColorizedImage> ColorizeAsync(ReadOnlyMemory<byte> encoded, ColorizationOptions? options = null,
        DecodeLimits? limits = null, CancellationToken ct = default)
    {
        (options ??= DefaultOptions).Validate();
        CheckModel(options);
        var image = await Task.Run(() => ImageDecoder.Decode(encoded.Span, limits), ct).ConfigureAwait(false);
        return await ColorizeAsync(image, options, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Colorizes a decoded image, taking ownership of it (it is disposed with the result, or at once on failure).
    /// The caller owns the result.
    /// </summary>
    public async Task<ColorizedImage> ColorizeAsync(DecodedImage image, ColorizationOptions? options = null, CancellationToken ct = default)
    {
        try
        {
            (options ??= DefaultOptions).Validate();
            CheckModel(options);
            // Repairs run before anything reads the lightness, outside the network's lock.
            if (!options.Restoration.IsEmpty && image.Restoration is null)
            {
                var original = image;
                image = await Task.Run(() => PhotoRestorer.Apply(original, options.Restoration), ct).ConfigureAwait(false);
            }
            var prediction = await PredictAsync(image, options.RenderSize, ct).ConfigureAwait(false);
            return new ColorizedImage(image, prediction, Bins, options, ModelName);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Colorizes a decoded image from its already prepared <paramref name="input"/> (see <see cref="NetworkInput.Prepare"/>),
    /// taking ownership of the image (disposed with the result, or at once on failure); the caller keeps the input.
    /// The caller owns the result.
    /// </summary>
    public async Task<ColorizedImage> ColorizeAsync(DecodedImage image, NetworkInput input, ColorizationOptions? options = null, CancellationToken ct = default)
    {
        try
        {
            (options ??= DefaultOptions).Validate();
            CheckModel(options);
            if (input.RenderSize != options.RenderSize)
                throw new ArgumentException($"The input was prepared at {input.RenderSize}, the options ask for {options.RenderSize}.", nameof(input));
            if (!options.Restoration.IsEmpty && image.Restoration != options.Restoration)
                throw new ArgumentException("The options ask for repairs: restore the image (PhotoRestorer.Apply) before preparing its input.", nameof(image));
            var prediction = await PredictInputAsync(input.Lightness, ct).ConfigureAwait(false);
            return new ColorizedImage(image, prediction, Bins, options, ModelName);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the network again on an existing result with new options (typically another render size), replacing its
    /// prediction in place. The source image is reused: nothing is decoded again.
    /// </summary>
    public async Task RecolorizeAsync(ColorizedImage image, ColorizationOptions options, CancellationToken ct = default)
    {
        options.Validate();
        CheckModel(options);
        var prediction = await PredictAsync(image.Source, options.RenderSize, ct).ConfigureAwait(false);
        image.Replace(prediction, options);
    }

    // Options name the model they were made for: an engine never runs another model's settings by mistake.
    private void CheckModel(ColorizationOptions options)
    {
        if (!string.Equals(options.Model, Model.Id, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The options are for the {options.Model} model; this engine runs {Model.Id}.", nameof(options));
    }

    /// <summary>Runs the network on <paramref name="image"/> at <paramref name="renderSize"/> and returns its prediction.</summary>
    public async Task<ChromaPrediction> PredictAsync(DecodedImage image, int renderSize, CancellationToken ct = default)
    {
        (DefaultOptions with { RenderSize = renderSize }).Validate();
        ct.ThrowIfCancellationRequested();
        // Pre-processing runs before taking the lock, so it overlaps another caller's forward pass.
        using var input = await Task.Run(() => LabPipeline.NetworkInput(image, renderSize), ct).ConfigureAwait(false);
        return await PredictInputAsync(input, ct).ConfigureAwait(false);
    }

    /// <summary>Runs the network on a prepared input (L − 50, CV_32FC1, square, a valid render size).</summary>
    internal async Task<ChromaPrediction> PredictInputAsync(Mat input, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ct.ThrowIfCancellationRequested();
            return await (_background is not null && IsExpensive(input)
                ? _background.RunAsync(() => Forward(input))
                : Task.Run(() => Forward(input), ct)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    // An input of as many default areas as make an expensive job in the queue (WorkQueue.ExpensiveCost), or more.
    private bool IsExpensive(Mat input) => ColorizationCost.InputAreas(Model, input.Rows) >= WorkQueue.ExpensiveCost;

    // Callers hold the gate (or are the only user, as in Load/WarmUp before the engine is shared).
    private ChromaPrediction Forward(Mat input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var prediction = _network.Forward(input);
        Diagnostics.ColorizerMeter.RecordForwardPass(Model.Id, input.Rows, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        Interlocked.Increment(ref _forwardPasses);
        int size = input.Rows;
        int grid = _network.GridSide(size);
        // Each backend checks its output's shape against the model; this catches a backend that got it wrong.
        if (prediction.Rows != grid || prediction.Columns != grid)
            throw new InvalidOperationException(
                $"{_network.Runtime} returned a {prediction.Rows}×{prediction.Columns} grid for a {size}×{size} input; expected {grid}×{grid}.");
        return prediction;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Only the first caller waits: two disposals at once would each hold some of the gate's places and wait for the rest.
        if (Interlocked.Exchange(ref _disposing, 1) == 1)
            return;
        // Wait for every in-flight forward pass before freeing the network under them.
        for (int i = 0; i < _passes; i++)
            _gate.Wait();
        _disposed = true;
        _background?.Dispose();
        _network.Dispose();
        _gate.Release(_passes);
    }
}
