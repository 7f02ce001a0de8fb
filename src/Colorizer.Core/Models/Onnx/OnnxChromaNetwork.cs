using System.Diagnostics;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models.Catalogue;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Colorizer.Core.Models.Onnx;

/// <summary>
/// A DDColor- or DeOldify-type ONNX file on ONNX Runtime (CPU). Its signature is checked against the type's contract
/// when it loads (<see cref="OnnxChromaSignature"/>). It takes the engine's input (L − 50 at S×S), turns it into what
/// its type expects and reads the model's output back as an (a, b) grid; the photo's own lightness is joined later.
/// One session, disposed with the network; the engine runs at most <see cref="ConcurrentForwardPasses"/> of <see cref="Forward"/> at once.
/// </summary>
internal sealed class OnnxChromaNetwork : IColorizationNetwork
{
    private readonly InferenceSession _session;
    private readonly SessionOptions _options;
    private readonly RunOptions _run = new();
    private readonly OnnxChromaSignature _signature;
    private readonly ColorModelType _type;
    private readonly ILogger _logger;
    private bool _disposed;

    private OnnxChromaNetwork(InferenceSession session, SessionOptions options, OnnxChromaSignature signature, ColorModelType type, ILogger logger)
    {
        _session = session;
        _options = options;
        _signature = signature;
        _type = type;
        _logger = logger;
        Runtime = $"ONNX Runtime {OrtEnv.Instance().GetVersionString()}";
    }

    /// <inheritdoc />
    public string Runtime { get; }

    /// <summary>The side the file fixes for its input, or null when height and width are free.</summary>
    public int? FixedSize => _signature.FixedSize;

    /// <summary>
    /// Opens <paramref name="path"/> as a <paramref name="type"/> model with <paramref name="threads"/> intra-op
    /// threads (0: ORT's default). A file ORT cannot load, or whose inputs and outputs do not fit the type, is a
    /// <see cref="ModelFilesException"/> naming the file, what was expected and what was found.
    /// </summary>
    public static OnnxChromaNetwork Load(string path, ColorModelType type, int threads, ILogger logger)
    {
        if (type == ColorModelType.Eccv16)
            throw new ArgumentException("The 2016 network is built from its Caffe files, not opened as an ONNX file.", nameof(type));
        var clock = Stopwatch.StartNew();
        var options = OnnxSessionOptions.Create(threads);
        InferenceSession? session = null;
        try
        {
            session = new InferenceSession(path, options);
            var signature = OnnxChromaSignature.Check(session, type, path);
            logger.LogInformation("Opened {Path} ({Type}, input {Input}) on ONNX Runtime in {Elapsed} ms",
                path, type, signature.FixedSize is { } side ? $"{side}×{side}" : "any size", clock.ElapsedMilliseconds);
            return new OnnxChromaNetwork(session, options, signature, type, logger);
        }
        catch (Exception ex)
        {
            session?.Dispose();
            options.Dispose();
            if (ex is OnnxRuntimeException)
                throw new ModelFilesException(path, $"ONNX Runtime could not load {path}: {ex.Message}", ex);
            throw;
        }
    }

    /// <inheritdoc />
    public int GridSide(int inputSize) => FixedSize ?? inputSize;

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
        int side = GridSide(input.Rows);
        var planes = OnnxChromaContract.Input(input, side, _type);
        using var inputValue = OrtValue.CreateTensorValueFromMemory(planes, [1, 3, side, side]);
        try
        {
            using var outputs = _session.Run(_run, [_signature.InputName], [inputValue], [_signature.OutputName]);
            var output = outputs[0];
            long[] shape = output.GetTensorTypeAndShape().Shape;
            long channels = _signature.OutputChannels;
            if (shape is not [1, var c, var h, var w] || c != channels || h != side || w != side)
                throw new InferenceFailedException(
                    $"The {_type} model returned [{string.Join(", ", shape)}] for a {side}×{side} input; expected [1, {channels}, {side}, {side}].");
            var ab = OnnxChromaContract.Ab(output.GetTensorDataAsSpan<float>(), side, _type);
            return ChromaPrediction.FromAb(ab, side, side);
        }
        catch (OnnxRuntimeException ex)
        {
            _logger.LogError(ex, "ONNX Runtime failed on a {Size}×{Size} input", side, side);
            throw new InferenceFailedException($"The network failed on this image at model size {side} (ONNX Runtime; the server's log has the details).", ex);
        }
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
