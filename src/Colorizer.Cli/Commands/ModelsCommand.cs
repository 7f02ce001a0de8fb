using System.CommandLine;
using Colorizer.Core;
using Colorizer.Core.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Cli.Commands;

/// <summary><c>colorizer models</c>: downloads, verifies and loads the model ahead of time.</summary>
internal static class ModelsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("models", "Download the model weights if they are missing, verify them and check that the model loads.");
        command.SetAction(async (parse, ct) =>
        {
            using var services = ColorizerCli.BuildServices(parse, error, warmUp: true);
            var host = services.GetRequiredService<ModelHost>();
            output.WriteLine($"Models folder: {host.ModelsDirectory}");
            var downloadReport = new DownloadReporter(error);
            host.DownloadProgress = downloadReport;
            try
            {
                var engine = await host.GetEngineAsync(ct);
                string weights = Path.Combine(host.ModelsDirectory, ModelFileNames.Weights);
                output.WriteLine($"Weights: {weights} ({new FileInfo(weights).Length:N0} bytes)");
                output.WriteLine($"The model loads and runs on {engine.Runtime}{(engine.IsWarm ? " (warmed up)" : "")}: ready.");
                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is ColorizerException or OperationCanceledException)
            {
                error.WriteLine(ErrorText.For(ex));
                return ExitCodes.For(ex);
            }
        });
        return command;
    }
}
