namespace Colorizer.Core.Colorization;

/// <summary>Which runtime runs the network's forward pass.</summary>
public enum InferenceBackend
{
    /// <summary>ONNX Runtime (CPU) on a graph built in memory from the Caffe files; the default.</summary>
    Onnx,

    /// <summary>OpenCV's DNN module on the Caffe files, as before; kept as the reference.</summary>
    OpenCv,
}
