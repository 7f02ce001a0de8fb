using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;

namespace Colorizer.Web.Colorization.Storage;

/// <summary>What the gallery index keeps of one colorized photo: enough to show its card again and to rebuild its result without the network.</summary>
/// <param name="Id">The item's id (unique in its gallery).</param>
/// <param name="Sequence">The order the files were picked in (the gallery's order).</param>
/// <param name="FileName">The user's file name (shown only, never a path).</param>
/// <param name="SourceFormat">The upload's format, for the ZIP's "as uploaded".</param>
/// <param name="Width">The result's width.</param>
/// <param name="Height">The result's height.</param>
/// <param name="InputHadColor">True when the upload was in colour.</param>
/// <param name="ModelName">The model as the result's metadata names it.</param>
/// <param name="Options">The settings the card shows (model, size, vividness, saturation, repairs).</param>
/// <param name="Hints">The current hints, as the API's JSON.</param>
/// <param name="Variant">Automatic or reference colours.</param>
/// <param name="TransferMode">How the reference is applied.</param>
/// <param name="Reference">The reference photo's palette and name, if one was given.</param>
/// <param name="UploadFile">The upload's file name in the gallery's folder.</param>
/// <param name="PredictionFile">The kept network output's file name in the gallery's folder.</param>
/// <param name="Bytes">The two files' size together.</param>
internal sealed record StoredGalleryItem(
    string Id,
    long Sequence,
    string FileName,
    Core.Imaging.ImageFormat? SourceFormat,
    int Width,
    int Height,
    bool InputHadColor,
    string ModelName,
    ColorizationOptions Options,
    string Hints,
    ColorVariant Variant,
    ReferenceTransferMode TransferMode,
    StoredReference? Reference,
    string UploadFile,
    string PredictionFile,
    long Bytes);

/// <summary>
/// A reference photo as kept: its palette's statistics and its name (<paramref name="Preview"/>, its thumbnail as a data
/// URL, only in records written before previews had a table of their own).
/// </summary>
internal sealed record StoredReference(string? Name, ChromaStatistics Global, IReadOnlyList<ChromaStatistics> Bands, string? Preview = null);

/// <summary>
/// The previews a card shows, kept so a reloaded page shows them without decoding anything: <see cref="Images"/>, those
/// of the previews table (read from disk when the browser asks); the data URLs only in records written before that
/// table (empty otherwise).
/// </summary>
internal sealed record StoredPreviews(string? Original = null, string? Result = null, string? Repaired = null)
{
    /// <summary>The previews on disk, by kind (their bytes are not in memory).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyDictionary<PreviewKind, PreviewImage> Images { get; init; } = new Dictionary<PreviewKind, PreviewImage>();
}
