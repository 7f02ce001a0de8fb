using System.Globalization;

namespace Colorizer.Core.Models;

/// <summary>
/// The facts a user needs to put the weights in place by hand: which file, its size and SHA-256, the addresses to get
/// it from, the full path to save it at, and why it is not there. Core states the facts; each host (the web page,
/// the CLI) words them its own way and names its own settings.
/// </summary>
public sealed record MissingWeights
{
    /// <summary>Describes the weights of <paramref name="release"/> missing at <paramref name="targetPath"/>.</summary>
    /// <param name="release">The file that is missing.</param>
    /// <param name="targetPath">Where it must end up, including its file name; made absolute.</param>
    /// <param name="cause">Why it is not there.</param>
    /// <param name="failures">Each download source that failed and why, in the order they were tried; none when no download was tried.</param>
    public MissingWeights(WeightsRelease release, string targetPath, MissingWeightsCause cause, IReadOnlyList<SourceFailure>? failures = null)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentException.ThrowIfNullOrWhiteSpace(targetPath);
        Release = release;
        TargetPath = Path.GetFullPath(targetPath);
        Cause = cause;
        Failures = Array.AsReadOnly((failures ?? []).ToArray());
    }

    /// <summary>The file that is missing: its name, size, SHA-256 and download addresses.</summary>
    public WeightsRelease Release { get; }

    /// <summary>The full path to save the file at.</summary>
    public string TargetPath { get; }

    /// <summary>Why the file is not there.</summary>
    public MissingWeightsCause Cause { get; }

    /// <summary>Each source that failed, and why; empty when no download was tried.</summary>
    public IReadOnlyList<SourceFailure> Failures { get; }

    /// <summary>The size in the form the messages use, e.g. <c>128,946,764 bytes</c>.</summary>
    public string SizeText => Release.SizeText;

    /// <summary>
    /// One shell line that downloads the file from the first source, checks its SHA-256 and only then moves it to
    /// <see cref="TargetPath"/>, so the models folder never holds a half-downloaded or wrong file under the final
    /// name. Paths and the address are single-quoted for a POSIX shell.
    /// </summary>
    public string ShellCommand
    {
        get
        {
            string download = TargetPath + ".download";
            return string.Create(
                CultureInfo.InvariantCulture,
                $"curl -fL --create-dirs -o {Quote(download)} {Quote(Release.Sources[0].AbsoluteUri)} && " +
                $"echo {Quote(Release.Sha256 + "  " + download)} | sha256sum -c && " +
                $"mv {Quote(download)} {Quote(TargetPath)}");
        }
    }

    /// <summary>
    /// The host-neutral instruction: which file (size, SHA-256), from where, and the full path to save it at.
    /// One sentence ending with a full stop; hosts add how to name another models folder in their own terms.
    /// </summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"Download {Release.FileName} ({SizeText}, SHA-256 {Release.Sha256}) on a machine that has internet access from " +
        $"{string.Join(" or ", Release.Sources.Select(s => s.AbsoluteUri))} and save it as {TargetPath}.");

    /// <summary>Quotes a word for a POSIX shell: inside single quotes nothing is special but the quote itself.</summary>
    private static string Quote(string word) => "'" + word.Replace("'", @"'\''", StringComparison.Ordinal) + "'";
}
