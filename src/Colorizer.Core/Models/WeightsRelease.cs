using System.Globalization;

namespace Colorizer.Core.Models;

/// <summary>
/// One published weights file: its name, exact size and SHA-256, and the addresses it can be downloaded from.
/// <see cref="Official"/> describes the authors' release; tests build their own with local addresses.
/// </summary>
public sealed record WeightsRelease
{
    /// <summary>Describes a weights file.</summary>
    /// <param name="fileName">The bare file name (no folders) the file is saved under.</param>
    /// <param name="size">The exact size in bytes; must be positive.</param>
    /// <param name="sha256">The SHA-256 of the content as 64 hex digits (either case; kept in lowercase).</param>
    /// <param name="sources">Absolute http or https addresses, best first; at least one.</param>
    /// <exception cref="ArgumentException">An argument is empty, malformed or out of range.</exception>
    public WeightsRelease(string fileName, long size, string sha256, IReadOnlyList<Uri> sources)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentNullException.ThrowIfNull(sources);
        if (Path.GetFileName(fileName) != fileName || fileName is "." or "..")
        {
            throw new ArgumentException($"'{fileName}' is not a bare file name.", nameof(fileName));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"'{sha256}' is not a SHA-256 in hex (64 digits).", nameof(sha256));
        }

        if (sources.Count == 0)
        {
            throw new ArgumentException("At least one source address is needed.", nameof(sources));
        }

        foreach (Uri source in sources)
        {
            if (source is null || !source.IsAbsoluteUri || (source.Scheme != Uri.UriSchemeHttp && source.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"'{source}' is not an absolute http or https address.", nameof(sources));
            }
        }

        FileName = fileName;
        Size = size;
        Sha256 = sha256.ToLowerInvariant();
        Sources = Array.AsReadOnly(sources.ToArray());
    }

    /// <summary>
    /// The class-rebalanced weights of Zhang, Isola and Efros (ECCV 2016), <c>colorization_release_v2.caffemodel</c>:
    /// the authors' page over https, then over http, then the widely used Dropbox mirror.
    /// </summary>
    public static WeightsRelease Official { get; } = new(
        ModelFileNames.Weights,
        128_946_764,
        "f5af1e602646328c792e1094f9876fe9cd4c09ac46fa886e5708a1abc89137b1",
        [
            new Uri("https://people.eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel"),
            new Uri("http://eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel"),
            new Uri("https://www.dropbox.com/s/dx0qvhhp5hbcx7z/colorization_release_v2.caffemodel?dl=1"),
        ]);

    /// <summary>The bare file name the weights are saved under, e.g. <c>colorization_release_v2.caffemodel</c>.</summary>
    public string FileName { get; }

    /// <summary>The exact size of the file in bytes.</summary>
    public long Size { get; }

    /// <summary>The SHA-256 of the file's content, 64 lowercase hex digits.</summary>
    public string Sha256 { get; }

    /// <summary>The addresses to download from, in order of preference.</summary>
    public IReadOnlyList<Uri> Sources { get; }

    /// <summary>
    /// Tells a user how to install this file by hand: which file, its size and SHA-256, every address it can be
    /// downloaded from, and the full path to save it at. Used when a download fails or downloads are disabled.
    /// </summary>
    /// <param name="destinationPath">Where the file must end up, including its file name; made absolute.</param>
    /// <returns>One sentence meant for the user, ending with a full stop.</returns>
    public string DescribeManualDownload(string destinationPath) =>
        MissingAt(destinationPath, MissingWeightsCause.Absent).Describe();

    /// <summary>The facts about this file missing at <paramref name="destinationPath"/>, for a host to word.</summary>
    /// <param name="destinationPath">Where the file must end up, including its file name; made absolute.</param>
    /// <param name="cause">Why it is not there.</param>
    /// <param name="failures">The download sources that failed, if a download was tried.</param>
    public MissingWeights MissingAt(string destinationPath, MissingWeightsCause cause, IReadOnlyList<SourceFailure>? failures = null) =>
        new(this, destinationPath, cause, failures);

    /// <summary>The size in the form the messages use, e.g. <c>128,946,764 bytes</c>.</summary>
    internal string SizeText => Size.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
}
