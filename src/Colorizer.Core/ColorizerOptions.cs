using System.ComponentModel.DataAnnotations;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;

namespace Colorizer.Core;

/// <summary>The engine's settings, bound from the <c>Colorizer</c> configuration section and validated at start.</summary>
public sealed class ColorizerOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Colorizer";

    /// <summary>
    /// The models folder. Unset: <c>COLORIZER_MODELS</c>, then the repository's <c>models/</c> or
    /// <c>~/.local/share/colorizer/models</c>.
    /// </summary>
    public string? ModelsDirectory { get; set; }

    /// <summary>Download the release weights when they are missing; default true.</summary>
    public bool DownloadWeights { get; set; } = true;

    /// <summary>Run one forward pass at start, so the first user does not wait for OpenCV's first-pass setup; default true.</summary>
    public bool WarmUp { get; set; } = true;

    /// <summary>The largest image accepted, in pixels; default 50 megapixels.</summary>
    [Range(1, 268_435_456)]
    public long MaxPixels { get; set; } = 50_000_000;

    /// <summary>The longest side accepted, in pixels; default 16,384.</summary>
    [Range(1, 65_535)]
    public int MaxSide { get; set; } = 16_384;

    /// <summary>
    /// Bounds on a file's structure checked before decoding (<c>Colorizer:Structure:MaxJpegScans</c>, 100;
    /// <c>Colorizer:Structure:MaxTiffTags</c>, 1,000): see <see cref="StructureLimits"/>.
    /// </summary>
    public StructureLimits Structure { get; set; } = StructureLimits.Default;

    /// <summary>
    /// The runtime that runs the network (<c>onnx</c> or <c>opencv</c> in configuration); default
    /// <see cref="InferenceBackendDefaults.Default"/>.
    /// </summary>
    [EnumDataType(typeof(InferenceBackend),
        ErrorMessage = SectionName + ":" + nameof(Backend) + " must be " + InferenceBackendNames.Onnx + " or " + InferenceBackendNames.OpenCv + ".")]
    public InferenceBackend Backend { get; set; } = InferenceBackendDefaults.Default;

    /// <summary>
    /// The ONNX backend's number format (<c>fp32</c> or <c>int8</c> in configuration); default <c>fp32</c>. INT8 is an
    /// opt-in whose colours could not be checked against the real weights here; the OpenCV backend takes only fp32.
    /// </summary>
    [EnumDataType(typeof(InferencePrecision), ErrorMessage = SectionName + ":" + nameof(Precision) + " must be " + InferencePrecisionNames.Choices + ".")]
    public InferencePrecision Precision { get; set; }

    /// <summary>
    /// The thread count of OpenCV (for the whole process: its image processing, and the network on the OpenCV backend)
    /// and of the ONNX Runtime session on the ONNX backend; 0 leaves the defaults (all cores).
    /// </summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>
    /// How many megabytes of DDColor and DeOldify model files stay loaded at once; default 2,048 (two of the
    /// published files, which are about 0.8–1 GB each). The file's size stands for the memory its session takes, which
    /// is more in practice (not measured here for the real files). The least recently used model is unloaded first; a
    /// model a job is using stays until the job ends, and the last one used always stays, so 0 keeps one at a time.
    /// The 2016 network is not counted: it is always loaded.
    /// </summary>
    [Range(0, 1_048_576)]
    public int ModelMemoryBudget { get; set; } = DefaultModelMemoryBudget;

    /// <summary>
    /// An http(s) folder address that serves the DDColor and DeOldify files and their <c>.hash</c> files under their
    /// own names (a mirror inside your network, say); tried before the publishers' addresses. Unset by default.
    /// </summary>
    public string? ModelMirror { get; set; }

    /// <summary>The default of <see cref="ModelMemoryBudget"/>, in megabytes.</summary>
    public const int DefaultModelMemoryBudget = 2048;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Structure is null)
        {
            yield return new ValidationResult($"{SectionName}:{nameof(Structure)} must not be null.", [nameof(Structure)]);
        }
        else
        {
            var structure = new List<ValidationResult>();
            Validator.TryValidateObject(Structure, new ValidationContext(Structure), structure, validateAllProperties: true);
            foreach (var result in structure)
                yield return new ValidationResult(
                    $"{SectionName}:{nameof(Structure)}:{string.Join(",", result.MemberNames)}: {result.ErrorMessage}", [nameof(Structure)]);
        }
        if (Precision == InferencePrecision.Int8 && Backend != InferenceBackend.Onnx)
            yield return new ValidationResult($"{SectionName}:{nameof(Precision)} int8 needs the onnx backend; OpenCV's runs fp32 only.", [nameof(Precision)]);
        if (ModelMirror is { Length: > 0 } mirror
            && (!Uri.TryCreate(mirror, UriKind.Absolute, out var address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)))
            yield return new ValidationResult($"{SectionName}:{nameof(ModelMirror)} must be an absolute http or https address; got '{mirror}'.", [nameof(ModelMirror)]);
    }
}
