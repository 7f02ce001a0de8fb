using Colorizer.Core.Colorization;

namespace Colorizer.Bench;

/// <summary>
/// The backend every part measures, in this process and in the CLI and web app it starts: OpenCV's DNN module, which
/// docs/benchmarks.md describes. Named explicitly, so a change of the product's default does not change what is measured.
/// </summary>
internal static class BenchBackend
{
    public const InferenceBackend Backend = InferenceBackend.OpenCv;

    /// <summary>The backend's name for the CLI's <c>--backend</c> and the web app's <c>Colorizer:Backend</c>.</summary>
    public static string Name => InferenceBackendNames.Of(Backend);
}
