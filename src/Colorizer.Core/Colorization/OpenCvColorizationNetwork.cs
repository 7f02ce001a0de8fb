using System.Runtime.InteropServices;
using Colorizer.Core.Models;
using Microsoft.Extensions.Logging;
using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Colorizer.Core.Colorization;

/// <summary>
/// The network on OpenCV's DNN module, read from the Caffe files (the description through a temporary prototxt, the
/// weights from their file) and run on the CPU. An OpenCV <see cref="Net"/> is not thread-safe: the engine serializes
/// <see cref="Forward"/>.
/// </summary>
internal sealed class OpenCvColorizationNetwork : IColorizationNetwork
{
    private readonly Net _net;

    private OpenCvColorizationNetwork(Net net)
    {
        _net = net;
    }

    /// <inheritdoc />
    public string Runtime { get; } = $"OpenCV {Cv2.GetVersionString()} DNN";

    /// <summary>
    /// Reads <paramref name="network"/> (already without its decoding tail) and the weights of
    /// <paramref name="weightsPath"/> into OpenCV's DNN module, on its own backend and the CPU. A positive
    /// <paramref name="threads"/> sets OpenCV's thread count (<see cref="Cv2.SetNumThreads"/>, for the whole process,
    /// its image processing included); 0 leaves it as it is. Throws <see cref="ModelFilesException"/> naming the
    /// weights when OpenCV cannot load them.
    /// </summary>
    public static OpenCvColorizationNetwork Load(NetworkDescription network, string weightsPath, int threads, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (threads > 0)
            Cv2.SetNumThreads(threads);
        string temporaryPrototxt = Path.Combine(Path.GetTempPath(), $"colorizer-{Environment.ProcessId}-{Guid.NewGuid():N}.prototxt");
        Net net;
        try
        {
            File.WriteAllText(temporaryPrototxt, network.ToPrototxt());
            net = CvDnn.ReadNetFromCaffe(temporaryPrototxt, weightsPath)
                ?? throw new ModelFilesException(weightsPath, $"OpenCV could not load {weightsPath}.");
        }
        catch (OpenCVException ex)
        {
            throw new ModelFilesException(weightsPath, $"OpenCV could not load the network from {weightsPath}: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temporaryPrototxt);
        }
        if (net.Empty())
        {
            net.Dispose();
            throw new ModelFilesException(weightsPath, $"OpenCV loaded an empty network from {weightsPath}.");
        }
        net.SetPreferableBackend(Backend.OPENCV);
        net.SetPreferableTarget(Target.CPU);
        logger.LogDebug("OpenCV's DNN module runs the network with {Threads} threads", Cv2.GetNumThreads());
        return new OpenCvColorizationNetwork(net);
    }

    /// <inheritdoc />
    public ChromaPrediction Forward(Mat input)
    {
        int size = input.Rows;
        using var blob = CvDnn.BlobFromImage(input);
        _net.SetInput(blob, NetworkDescription.InputBlob);
        using var output = _net.Forward(NetworkDescription.LogitsBlob);
        int rows = size / 4, columns = size / 4;
        if (output.Dims != 4 || output.Size(1) != NetworkDescription.BinCount || output.Size(2) != rows || output.Size(3) != columns)
            throw new ModelFilesException(ModelFileNames.Prototxt,
                $"The network produced a {string.Join('×', Enumerable.Range(0, output.Dims).Select(output.Size))} output for a {size}×{size} input; " +
                $"expected 1×{NetworkDescription.BinCount}×{size / 4}×{size / 4}.");
        var logits = new float[NetworkDescription.BinCount * rows * columns];
        Marshal.Copy(output.Data, logits, 0, logits.Length);
        return new ChromaPrediction(logits, rows, columns, size);
    }

    /// <inheritdoc />
    public void Dispose() => _net.Dispose();
}
