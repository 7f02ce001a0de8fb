using Colorizer.Core.Colorization;

namespace Colorizer.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>
    /// Runs <paramref name="args"/> on OpenCV's backend (<c>--backend opencv</c> before them), so a change of the
    /// default leaves these tests where they are, unless they name a backend themselves.
    /// </summary>
    public static async Task<CliRun> ExecuteAsync(CancellationToken ct, params string[] args)
    {
        if (!args.Any(a => a == "--backend" || a.StartsWith("--backend=", StringComparison.Ordinal)))
            args = ["--backend", InferenceBackendNames.OpenCv, .. args];
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ColorizerCli.RunAsync(args, output, error, ct);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Task<CliRun> ExecuteAsync(params string[] args) => ExecuteAsync(CancellationToken.None, args);
}
