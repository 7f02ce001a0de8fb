using Colorizer.Core;
using Colorizer.Core.Models;

namespace Colorizer.Cli;

/// <summary>
/// How the CLI words an error that stops a run: missing weights in the CLI's own terms (<c>--models</c>,
/// <c>--offline</c>) with a command to copy; anything else as Core says it.
/// </summary>
internal static class ErrorText
{
    /// <summary>The lines to print on standard error for <paramref name="exception"/>.</summary>
    public static string For(Exception exception)
    {
        if (exception is OperationCanceledException)
            return "Cancelled.";
        var missing = exception switch
        {
            ModelDownloadException download => download.MissingWeights,
            ModelFilesException files => files.MissingWeights,
            _ => null,
        };
        if (missing is null)
            return $"error: {exception.Message}";

        string file = missing.Release.FileName;
        string folder = Path.GetDirectoryName(missing.TargetPath) ?? missing.TargetPath;
        string why = missing.Cause switch
        {
            MissingWeightsCause.DownloadFailed when missing.Failures.Count > 0 =>
                $"could not download {file}: {string.Join("; ", missing.Failures.Select(f => $"{f.Source.AbsoluteUri} failed: {f.Reason}"))}.",
            MissingWeightsCause.DownloadFailed =>
                $"could not download {file} into {folder}: {(exception.InnerException ?? exception).Message}",
            MissingWeightsCause.DownloadSwitchedOff => $"the model weights {file} are missing from {folder}, and --offline forbids downloading them.",
            _ => $"the model weights {file} are missing from {folder}.",
        };
        // Describe() ends with a full stop; the CLI's own way to name another folder follows in the same sentence.
        string instruction = missing.Describe().TrimEnd('.') + ", or point --models / COLORIZER_MODELS at a folder that holds it.";
        return $"error: {why}{Environment.NewLine}{instruction}{Environment.NewLine}" +
               $"In a shell (downloads, checks the SHA-256, then moves the file into place):{Environment.NewLine}  {missing.ShellCommand}";
    }
}
