namespace Colorizer.Core.Colorization;

/// <summary>The number format the ONNX backend computes in.</summary>
public enum InferencePrecision
{
    /// <summary>32-bit floats, as the release was trained; the default.</summary>
    Fp32,

    /// <summary>
    /// Static INT8, calibrated at load on built-in inputs: faster and smaller, but its colours have only been checked
    /// on generated weights here (see docs/models.md). An explicit opt-in, ONNX backend only.
    /// </summary>
    Int8,
}
