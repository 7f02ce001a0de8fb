using System.Diagnostics;
using Colorizer.Core.Colorization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// The network on ONNX Runtime (CPU), from a graph built in memory from the Caffe description and weights: the user
/// keeps the official files, and no second copy of the weights is written to disk. One session per process, which
/// takes concurrent runs: the engine runs at most <see cref="ConcurrentForwardPasses"/> of <see cref="Forward"/> at once.
/// </summary>
internal sealed class OnnxColorizationNetwork : IColorizationNetwork
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames = [NetworkDescription.InputBlob];
    private readonly string[] _outputNames = [NetworkDescription.LogitsBlob];
    private readonly ILogger _logger;
    private bool _disposed;

    private OnnxColorizationNetwork(InferenceSession session, SessionOptions options, InferencePrecision precision, ILogger logger)
    {
        _session = session;
        _options = options;
        _logger = logger;
        Runtime = $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}{(precision == InferencePrecision.Int8 ? " (INT8)" : "")}";
    }

    /// <inheritdoc />
    public string Runtime { get; }

    /// <summary>
    /// Builds the ONNX graph from <paramref name="network"/> (already without its decoding tail) and the blobs of
    /// <paramref name="weightsPath"/>, and opens one session with <paramref name="threads"/> intra-op threads (0: ORT's
    /// default, one per core). Throws <see cref="ModelFilesException"/> naming the file when the blobs do not fit the
    /// description or ONNX Runtime refuses the graph. <paramref name="tune"/> (the benchmark's option variants) may
    /// change the session options after these defaults, just before the session is created.
    /// </summary>
    /// <param name="network">The description, without its decoding tail.</param>
    /// <param name="weightsPath">The .caffemodel.</param>
    /// <param name="threads">Intra-op threads; 0 for ORT's default.</param>
    /// <param name="logger">Where the load is reported.</param>
    /// <param name="precision">FP32, or INT8 calibrated at load (<see cref="Int8Quantization"/>).</param>
    /// <param name="tune">Changes to the session options after the defaults (the benchmark compares variants).</param>
    public static OnnxColorizationNetwork Load(NetworkDescription network, string weightsPath, int threads, ILogger logger,
        InferencePrecision precision = InferencePrecision.Fp32, Action<SessionOptions>? tune = null)
    {
        var clock = Stopwatch.StartNew();
        var withWeights = network.Layers.Where(l => l.HasWeights).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        byte[] model;
        try
        {
            using var weights = new FileStream(weightsPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
            var blobs = CaffeBlobReader.Read(weights, weightsPath, withWeights);
            if (precision == InferencePrecision.Int8)
            {
                var activations = new Dictionary<string, string>(StringComparer.Ordinal);
                var ranges = Int8Quantization.Calibrate(OnnxGraphBuilder.Build(network, blobs, weights, activations), activations, threads);
                model = Int8Quantization.Build(network, blobs, weights, ranges);
            }
            else
            {
                model = OnnxGraphBuilder.Build(network, blobs, weights);
            }
        }
        catch (IOException ex)
        {
            throw new ModelFilesException(weightsPath, $"{weightsPath} could not be read: {ex.Message}", ex);
        }
        catch (OnnxRuntimeException ex)
        {
            // INT8's calibration runs the FP32 graph before the session proper.
            throw new ModelFilesException(weightsPath, $"ONNX Runtime could not run the network built from {weightsPath}: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new ModelFilesException(weightsPath, $"The ONNX model for {weightsPath} could not be built: {ex.Message}", ex);
        }
        long built = clock.ElapsedMilliseconds;

        var options = OnnxSessionOptions.Create(threads);
        try
        {
            tune?.Invoke(options);
            var session = new InferenceSession(model, options);
            // The serialized model (the weights' size) is garbage now, on the large-object heap: give its pages back at
            // once rather than carry them until a later collection.
            model = [];
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            // ORT parsed the model into native memory and copied its initializers out of it; glibc keeps such freed
            // blocks in its heaps unless asked.
            Native.NativeHeap.ReturnFreedMemory();
            logger.LogInformation("Built the ONNX graph from {Weights} in {Built} ms and opened the session in {Opened} ms",
                weightsPath, built, clock.ElapsedMilliseconds - built);
            return new OnnxColorizationNetwork(session, options, precision, logger);
        }
        catch (Exception ex)
        {
            options.Dispose();
            if (ex is OnnxRuntimeException)
                throw new ModelFilesException(weightsPath, $"ONNX Runtime could not load the network built from {weightsPath}: {ex.Message}", ex);
            throw;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Two: ONNX Runtime's sessions take concurrent runs (each with its own input and output values here), so an
    /// ordinary photo's pass need not wait for an expensive one in progress; the queue lets at most one expensive job
    /// run at a time, so the two never both need a large pass's memory. More would only split the same cores.
    /// </remarks>
    public int ConcurrentForwardPasses => 2;

    /// <inheritdoc />
    public ChromaPrediction Forward(Mat input)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (input.Type() != MatType.CV_32FC1 || input.Rows != input.Cols || !input.IsContinuous())
            throw new ArgumentException("The network input must be a continuous, square CV_32FC1 image.", nameof(input));
        int size = input.Rows, grid = size / 4;
        // The output goes straight into the array the prediction keeps: no copy, and nothing for ORT to allocate.
        var logits = new float[NetworkDescription.BinCount * grid * grid];
        unsafe
        {
            using var inputValue = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float,
                [1, 1, size, size], input.Data, (long)size * size * sizeof(float));
            using var outputValue = OrtValue.CreateTensorValueFromMemory(logits, [1, NetworkDescription.BinCount, grid, grid]);
            try
            {
                _session.Run(_run, _inputNames, [inputValue], _outputNames, [outputValue]);
            }
            catch (OnnxRuntimeException ex)
            {
                _logger.LogError(ex, "ONNX Runtime failed on a {Size}×{Size} input", size, size);
                throw new InferenceFailedException($"The network failed on this image at render size {size} (ONNX Runtime; the server's log has the details).", ex);
            }
        }
        return new ChromaPrediction(logits, grid, grid, size);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _session.Dispose();
        _options.Dispose();
        _run.Dispose();
    }
}
