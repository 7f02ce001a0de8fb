using Colorizer.Core.Models;

namespace Colorizer.Core;

/// <summary>The base of every error Colorizer reports on purpose; hosts map its subtypes to exit codes and HTTP statuses.</summary>
public abstract class ColorizerException : Exception
{
    /// <summary>Creates the exception with a message meant for the user.</summary>
    protected ColorizerException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>The input is not one of the supported image formats (JPEG, PNG, WebP, BMP, TIFF), judged by its content.</summary>
public sealed class UnsupportedImageFormatException(string message) : ColorizerException(message);

/// <summary>The input claims a supported format but cannot be decoded: truncated, corrupt, empty or zero-sized.</summary>
public sealed class InvalidImageException(string message, Exception? inner = null) : ColorizerException(message, inner);

/// <summary>The image is larger than the configured limits allow.</summary>
public sealed class ImageTooLargeException(string message) : ColorizerException(message);

/// <summary>
/// The file's structure (a JPEG's scans, a TIFF's tags) would keep the decoder busy far longer than its size and pixel
/// count suggest, although both are within the limits; refused before decoding (<see cref="Imaging.ImageStructure"/>).
/// </summary>
public sealed class ImageTooComplexException(string message) : ColorizerException(message);

/// <summary>An option is out of its documented range; <see cref="OptionName"/> names it.</summary>
public sealed class InvalidColorizationOptionException(string optionName, string message) : ColorizerException(message)
{
    /// <summary>The name of the offending option, as the user spells it (e.g. <c>Temperature</c>).</summary>
    public string OptionName { get; } = optionName;
}

/// <summary>A model file is missing or is not what the engine expects; <see cref="FileName"/> names it.</summary>
public sealed class ModelFilesException(string fileName, string message, Exception? inner = null) : ColorizerException(message, inner)
{
    /// <summary>The file (name or path) at fault.</summary>
    public string FileName { get; } = fileName;

    /// <summary>When the weights file is simply not there: what to fetch, from where, and where to save it; otherwise null.</summary>
    public MissingWeights? MissingWeights { get; init; }
}

/// <summary>The model weights could not be downloaded or failed verification.</summary>
public sealed class ModelDownloadException(string message, Exception? inner = null) : ColorizerException(message, inner)
{
    /// <summary>What to fetch by hand, from where, where to save it, and why each source failed.</summary>
    public MissingWeights? MissingWeights { get; init; }
}

/// <summary>The work queue is full: the caller should try again later.</summary>
public sealed class WorkQueueFullException(string message) : ColorizerException(message);

/// <summary>The model is not loaded yet (downloading or loading) or failed to load; the message says which.</summary>
public sealed class ModelNotReadyException(string message, bool mayRecover) : ColorizerException(message)
{
    /// <summary>True while the model is still on its way (a retry later may succeed); false when it failed.</summary>
    public bool MayRecover { get; } = mayRecover;
}

/// <summary>Colour hints or a reference photo cannot be used: malformed JSON, a point outside the image, a colour out of range.</summary>
public sealed class InvalidHintsException(string message, Exception? inner = null) : ColorizerException(message, inner)
{
    /// <summary>True when the reference photo is at fault (no colour, not a readable image), false for the hints.</summary>
    public bool ConcernsReference { get; init; }
}

/// <summary>
/// The inference runtime failed on one input although the model loaded (out of memory at a large render size, say):
/// that image failed, the model is not broken, and the same request may succeed later. The runtime's own words are
/// logged, not put in the message, since they name the server's source paths.
/// </summary>
public sealed class InferenceFailedException(string message, Exception? inner = null) : ColorizerException(message, inner);
