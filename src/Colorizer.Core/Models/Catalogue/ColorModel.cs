using System.Globalization;

namespace Colorizer.Core.Models.Catalogue;

/// <summary>
/// One model of the <see cref="ModelCatalogue"/>: what it is called, its licence and type, the file it lives in,
/// where that file is published and what is known of it, and the network input sizes it accepts.
/// </summary>
public sealed record ColorModel
{
    /// <summary>The id used in settings, the API and the CLI (<c>ddcolor</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The name shown to users (<c>DDColor, artistic</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The model's licence, as its authors state it (<c>Apache-2.0</c>).</summary>
    public required string Licence { get; init; }

    /// <summary>The input and output contract.</summary>
    public required ColorModelType Type { get; init; }

    /// <summary>The bare file name in the models folder.</summary>
    public required string FileName { get; init; }

    /// <summary>The addresses of the file, tried in this order.</summary>
    public required IReadOnlyList<Uri> Sources { get; init; }

    /// <summary>The file's exact size in bytes when it is known for certain; null otherwise (the server's length is checked then).</summary>
    public long? ExpectedSize { get; init; }

    /// <summary>
    /// The network input sides this model is run at, smallest first. For the 2016 network any multiple of 8 from
    /// 128 to 1024 is accepted and this lists the usual ones.
    /// </summary>
    public required IReadOnlyList<int> InputSizes { get; init; }

    /// <summary>The network input side used when none is asked for.</summary>
    public required int DefaultInputSize { get; init; }

    /// <summary>True for the 2016 network, the only one with a colour distribution: vividness and likely colours need it.</summary>
    public bool HasDistribution => Type == ColorModelType.Eccv16;

    /// <summary>True for the models run from an ONNX file of their own (DDColor, DeOldify).</summary>
    public bool IsOnnxFile => Type != ColorModelType.Eccv16;

    /// <summary>
    /// The name of the file that publishes the model file's CRC-32 beside it (<c>ddcolor.hash</c>), or null for a model
    /// whose release states its hash itself.
    /// </summary>
    public string? HashFileName => IsOnnxFile ? Path.GetFileNameWithoutExtension(FileName) + ".hash" : null;

    /// <summary>The address of the hash file beside <paramref name="source"/> (the same folder, <see cref="HashFileName"/>).</summary>
    public Uri HashSource(Uri source) => new(source, HashFileName ?? throw new InvalidOperationException($"{Id} has no hash file."));

    /// <summary>The input sizes in the form messages use: <c>192, 256, 384 or 512</c>.</summary>
    public string InputSizesText =>
        InputSizes.Count == 1 ? InputSizes[0].ToString(CultureInfo.InvariantCulture)
            : string.Join(", ", InputSizes.SkipLast(1).Select(s => s.ToString(CultureInfo.InvariantCulture)))
              + " or " + InputSizes[^1].ToString(CultureInfo.InvariantCulture);
}
