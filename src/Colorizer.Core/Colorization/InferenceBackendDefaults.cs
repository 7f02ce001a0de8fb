namespace Colorizer.Core.Colorization;

/// <summary>
/// The backend used when none is named: the one place every default (<see cref="ColorizationEngine.Load"/>,
/// <see cref="ColorizerOptions.Backend"/>, the CLI's <c>--backend</c>) comes from.
/// </summary>
public static class InferenceBackendDefaults
{
    /// <summary>The default backend.</summary>
    public const InferenceBackend Default = InferenceBackend.Onnx;
}
