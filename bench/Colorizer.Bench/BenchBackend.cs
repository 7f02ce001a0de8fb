using Colorizer.Core.Colorization;

namespace Colorizer.Bench;

/// <summary>
/// The backend the parts measure, in this process and in the CLI and web app it starts: the product's default (ONNX
/// Runtime), named explicitly in what is started, so every report says which it measured. The backends part compares
/// the two side by side.
/// </summary>
internal static class BenchBackend
{
    public const InferenceBackend Backend = InferenceBackendDefaults.Default;

    /// <summary>The backend's name for the CLI's <c>--backend</c> and the web app's <c>Colorizer:Backend</c>.</summary>
    public static string Name => InferenceBackendNames.Of(Backend);
}
