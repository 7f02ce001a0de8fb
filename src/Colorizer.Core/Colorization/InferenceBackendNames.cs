namespace Colorizer.Core.Colorization;

/// <summary>
/// The backends' names in settings and on the command line (<c>onnx</c>, <c>opencv</c>), the only spellings accepted
/// there: a number or a combination of names, which .NET's enum parsing would take, is refused.
/// </summary>
public static class InferenceBackendNames
{
    /// <summary>The name of <see cref="InferenceBackend.Onnx"/>.</summary>
    public const string Onnx = "onnx";

    /// <summary>The name of <see cref="InferenceBackend.OpenCv"/>.</summary>
    public const string OpenCv = "opencv";

    /// <summary>Every name, in the order of the enum.</summary>
    public static IReadOnlyList<string> All { get; } = [Onnx, OpenCv];

    /// <summary>The name of <paramref name="backend"/>.</summary>
    public static string Of(InferenceBackend backend) => backend switch
    {
        InferenceBackend.Onnx => Onnx,
        InferenceBackend.OpenCv => OpenCv,
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, $"Not a backend; use {Choices}."),
    };

    /// <summary>
    /// Reads a backend's name, ignoring case and surrounding spaces (<c>OpenCv</c> and <c> opencv</c> are
    /// <c>opencv</c>). False for anything else, numbers included.
    /// </summary>
    public static bool TryParse(string? text, out InferenceBackend backend)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case Onnx:
                backend = InferenceBackend.Onnx;
                return true;
            case OpenCv:
                backend = InferenceBackend.OpenCv;
                return true;
            default:
                backend = InferenceBackendDefaults.Default;
                return false;
        }
    }

    /// <summary>The names as a sentence says them: "onnx or opencv".</summary>
    public static string Choices => string.Join(" or ", All);
}
