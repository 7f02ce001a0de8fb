using Colorizer.Core.Colorization;
using Microsoft.Extensions.Logging;
using OpenCvSharp;

namespace Colorizer.Core.Models.Onnx;

/// <summary>The network on ONNX Runtime, from a graph built in memory from the Caffe description and weights.</summary>
internal sealed class OnnxColorizationNetwork : IColorizationNetwork
{
    private OnnxColorizationNetwork()
    {
    }

    /// <inheritdoc />
    public string Runtime => "ONNX Runtime";

    /// <summary>
    /// Builds the ONNX graph from <paramref name="network"/> (already without its decoding tail) and the blobs of
    /// <paramref name="weightsPath"/>, and opens one session with <paramref name="threads"/> intra-op threads (0: ORT's
    /// default). Throws <see cref="ModelFilesException"/> naming the file when the blobs do not fit the description.
    /// </summary>
    public static OnnxColorizationNetwork Load(NetworkDescription network, string weightsPath, int threads, ILogger logger)
    {
        _ = (network, weightsPath, threads, logger);
        throw new NotSupportedException("The ONNX backend is being written.");
    }

    /// <inheritdoc />
    public ChromaPrediction Forward(Mat input) => throw new NotSupportedException();

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
