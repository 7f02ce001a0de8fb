using System.Globalization;
using Colorizer.Core.Models.Catalogue;

namespace Colorizer.Core.Models;

/// <summary>
/// What <see cref="ModelDownloader"/> fetches: the 2016 weights of a <see cref="WeightsRelease"/> (known size and
/// SHA-256), or an ONNX model of the catalogue (the server's length, and the CRC-32 published beside each source).
/// Also words the failure each kind reports.
/// </summary>
internal sealed class DownloadTarget
{
    public DownloadTarget(WeightsRelease release)
    {
        Release = release;
        FileName = release.FileName;
        Sources = release.Sources;
        Size = release.Size;
        Sha256 = release.Sha256;
    }

    public DownloadTarget(ColorModel model)
    {
        Model = model;
        FileName = model.FileName;
        Sources = model.Sources;
        Size = model.ExpectedSize;
    }

    public WeightsRelease? Release { get; }

    public ColorModel? Model { get; }

    public string FileName { get; }

    public IReadOnlyList<Uri> Sources { get; }

    public long? Size { get; }

    public string? Sha256 { get; }

    /// <summary>The file with what is known of it: <c>x.caffemodel (128,946,764 bytes, SHA-256 …)</c>.</summary>
    public string Describe() => Release is { } release
        ? $"{FileName} ({release.SizeText}, SHA-256 {release.Sha256})"
        : $"{FileName} (with its published CRC-32, {Model!.HashFileName})";

    /// <summary>The error when the file could not be had: <paramref name="reason"/>, then how to install it by hand.</summary>
    public ModelDownloadException Failed(string reason, string finalPath, IReadOnlyList<SourceFailure> failures, Exception? inner)
    {
        if (Release is { } release)
            return new ModelDownloadException($"{reason} {release.DescribeManualDownload(finalPath)}", inner)
            {
                MissingWeights = release.MissingAt(finalPath, MissingWeightsCause.DownloadFailed, failures),
            };
        return new ModelDownloadException(
            $"{reason} Download {FileName} on a machine that has internet access from " +
            $"{string.Join(" or ", Sources.Select(s => s.AbsoluteUri))} and save it as {Path.GetFullPath(finalPath)}.", inner);
    }
}

/// <summary>What one attempt on one source must produce: the size (when known, or once the server states it) and the hash.</summary>
internal sealed class Expectation(string fileName, long? size, bool isSha256, string hash)
{
    public string FileName { get; } = fileName;

    /// <summary>The exact size; null until the server says it for a file of unknown size.</summary>
    public long? Size { get; set; } = size;

    public string Hash { get; } = hash;

    public ContentHash NewHash() => isSha256 ? ContentHash.Sha256() : ContentHash.Crc32();

    public string HashText => (isSha256 ? "SHA-256 " : "CRC-32 ") + Hash;

    public string SizeText => Size is long known ? known.ToString("N0", CultureInfo.InvariantCulture) + " bytes" : "size not known yet";
}
