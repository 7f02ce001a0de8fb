using System.Diagnostics;
using Colorizer.Core.Colorization;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// The network on ONNX Runtime (CPU), from a graph built in memory from the Caffe description and weights: the user
/// keeps the official files, and no second copy of the weights is written to disk. One session per process; not
/// thread-safe by contract (the engine serializes <see cref="Forward"/>), although ORT's session would allow more.
/// </summary>
internal sealed class OnnxColorizationNetwork : IColorizationNetwork
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames = [NetworkDescription.InputBlob];
    private readonly string[] _outputNames = [NetworkDescription.LogitsBlob];
    private bool _disposed;

    private OnnxColorizationNetwork(InferenceSession session, SessionOptions options)
    {
        _session = session;
        _options = options;
    }

    /// <inheritdoc />
    public string Runtime { get; } = "ONNX Runtime " + OrtEnv.Instance().GetVersionString();

    /// <summary>
    /// Builds the ONNX graph from <paramref name="network"/> (already without its decoding tail) and the blobs of
    /// <paramref name="weightsPath"/>, and opens one session with <paramref name="threads"/> intra-op threads (0: ORT's
    /// default, one per core). Throws <see cref="ModelFilesException"/> naming the file when the blobs do not fit the
    /// description or ONNX Runtime refuses the graph. <paramref name="tune"/> (the benchmark's option variants) may
    /// change the session options after these defaults, just before the session is created.
    /// </summary>
    public static OnnxColorizationNetwork Load(NetworkDescription network, string weightsPath, int threads, ILogger logger,
        Action<SessionOptions>? tune = null)
    {
        var clock = Stopwatch.StartNew();
        var withWeights = network.Layers.Where(l => l.HasWeights).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        byte[] model;
        {
            var blobs = CaffeBlobReader.Read(weightsPath, withWeights);
            model = OnnxGraphBuilder.Build(network, blobs, weightsPath);
        }
        long built = clock.ElapsedMilliseconds;

        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            // One pass at a time: the inter-op pool would only add idle threads.
            InterOpNumThreads = 1,
            IntraOpNumThreads = threads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        // Between passes ORT's workers would spin on the cores that decode, resize and encode the other images.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        try
        {
            tune?.Invoke(options);
            var session = new InferenceSession(model, options);
            logger.LogInformation("Built the ONNX graph from {Weights} in {Built} ms and opened the session in {Opened} ms",
                weightsPath, built, clock.ElapsedMilliseconds - built);
            return new OnnxColorizationNetwork(session, options);
        }
        catch (OnnxRuntimeException ex)
        {
            options.Dispose();
            throw new ModelFilesException(weightsPath, $"ONNX Runtime could not load the network built from {weightsPath}: {ex.Message}", ex);
        }
    }

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
                throw new ModelFilesException(ModelFileNames.Weights, $"ONNX Runtime failed on a {size}×{size} input: {ex.Message}", ex);
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
