
namespace Colorizer.Cli.Tests;

/// <summary>Runs the CLI in-process and captures what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <paramref name="args"/> as given: on the default backend unless they name one.</summary>
    public static async Task<CliRun> ExecuteAsync(CancellationToken ct, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await ColorizerCli.RunAsync(args, output, error, ct);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Task<CliRun> ExecuteAsync(params string[] args) => ExecuteAsync(CancellationToken.None, args);
}
