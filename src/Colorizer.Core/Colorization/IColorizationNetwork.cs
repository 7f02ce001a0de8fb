using OpenCvSharp;

namespace Colorizer.Core.Colorization;

/// <summary>
/// One loaded network behind a runtime. The engine runs at most <see cref="ConcurrentForwardPasses"/> calls to
/// <see cref="Forward"/> at once (one, unless the runtime says its sessions take concurrent runs).
/// </summary>
internal interface IColorizationNetwork : IDisposable
{
    /// <summary>The runtime, for logs and reports ("ONNX Runtime 1.31.1", "OpenCV 4.13.0 DNN").</summary>
    string Runtime { get; }

    /// <summary>
    /// One forward pass. <paramref name="input"/> is the network input: CV_32FC1, square, S×S with S a valid render
    /// size, holding L − 50. The 2016 network returns its <c>conv8_313</c> logits for the S/4 × S/4 grid, channel-major
    /// (313 planes); the ONNX models return an (a, b) grid of <see cref="GridSide"/>.
    /// </summary>
    ChromaPrediction Forward(Mat input);

    /// <summary>
    /// How many forward passes may run at once on this network: 1 for runtimes whose network is not thread-safe (an
    /// OpenCV <c>Net</c>).
    /// </summary>
    int ConcurrentForwardPasses => 1;

    /// <summary>The side of the grid <see cref="Forward"/> returns for an input of <paramref name="inputSize"/>.</summary>
    int GridSide(int inputSize) => inputSize / 4;
}
