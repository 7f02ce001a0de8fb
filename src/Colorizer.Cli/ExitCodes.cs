using Colorizer.Core;

namespace Colorizer.Cli;

/// <summary>The CLI's exit codes, mapped from Core's exception family in one place.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Some inputs failed; the others were written.</summary>
    public const int SomeFailed = 1;

    /// <summary>A bad option or argument.</summary>
    public const int Usage = 2;

    /// <summary>The model is missing or unusable, or its download failed.</summary>
    public const int Model = 3;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Cancelled = 130;

    public static int For(Exception exception) => exception switch
    {
        InvalidColorizationOptionException or InvalidHintsException => Usage,
        ModelFilesException or ModelDownloadException => Model,
        OperationCanceledException => Cancelled,
        _ => SomeFailed,
    };
}
