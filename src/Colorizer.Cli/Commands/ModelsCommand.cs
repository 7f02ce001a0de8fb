using System.CommandLine;
using System.Globalization;
using Colorizer.Core;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Cli.Commands;

/// <summary>
/// <c>colorizer models</c>: lists the catalogue with each model's state, and downloads, verifies and loads models
/// ahead of time: the default one, the one of <c>--model</c>, or <c>--all</c>.
/// </summary>
internal static class ModelsCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = ModelOptions.CreateModel("Download (if missing) and test-load this model instead of the default one.", withDefault: false);
        var all = new Option<bool>("--all") { Description = "Download (if missing) and test-load every model of the list (about 1 GB each for DDColor and DeOldify)." };
        var command = new Command("models",
            "List the models with their state; download the default model's weights if they are missing (or --model's, or --all), verify them and check that the model loads.")
        {
            model, all,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(all) && parse.GetValue(model) is not null)
            {
                error.WriteLine("error: give --model or --all, not both.");
                return ExitCodes.Usage;
            }
            using var services = ColorizerCli.BuildServices(parse, error, warmUp: true);
            var host = services.GetRequiredService<ModelHost>();
            var library = services.GetRequiredService<ModelLibrary>();
            output.WriteLine($"Models folder: {host.ModelsDirectory}");
            WriteList(output, library.List());
            var targets = parse.GetValue(all) ? ModelCatalogue.All
                : [parse.GetValue(model) is { } id ? ModelCatalogue.Get(id) : ModelCatalogue.Eccv16];
            int exit = ExitCodes.Success;
            foreach (var target in targets)
            {
                int code = await CheckAsync(target, host, library, output, error, ct);
                if (code == ExitCodes.Cancelled)
                    return code;
                exit = exit == ExitCodes.Success ? code : exit;
            }
            return exit;
        });
        return command;
    }

    private static void WriteList(TextWriter output, IReadOnlyList<ModelAvailability> models)
    {
        int idWidth = models.Max(m => m.Model.Id.Length);
        int nameWidth = models.Max(m => m.Model.Name.Length);
        foreach (var m in models)
            output.WriteLine($"  {m.Model.Id.PadRight(idWidth)}  {m.Model.Name.PadRight(nameWidth)}  {m.Model.Licence,-12}  {Describe(m)}");
    }

    /// <summary>A model's state in the list's words: <c>downloaded (980,103,562 bytes)</c>.</summary>
    internal static string Describe(ModelAvailability state) => state.Status switch
    {
        ModelFileStatus.Downloaded => $"downloaded ({state.SizeBytes?.ToString("N0", CultureInfo.InvariantCulture)} bytes)",
        ModelFileStatus.Downloading => state.DownloadFraction is double f ? $"downloading ({f.ToString("P0", CultureInfo.InvariantCulture)})" : "downloading",
        ModelFileStatus.Failed => $"failed: {state.FailureReason}",
        _ => state.Model.IsOnnxFile ? "not downloaded (downloaded on first use)" : "not downloaded",
    };

    private static async Task<int> CheckAsync(ColorModel model, ModelHost host, ModelLibrary library, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var downloadReport = new DownloadReporter(error);
        try
        {
            if (!model.IsOnnxFile)
            {
                host.DownloadProgress = downloadReport;
                var engine = await host.GetEngineAsync(ct);
                string weights = Path.Combine(host.ModelsDirectory, ModelFileNames.Weights);
                output.WriteLine($"Weights: {weights} ({new FileInfo(weights).Length:N0} bytes)");
                output.WriteLine($"The model loads and runs on {engine.Runtime}{(engine.IsWarm ? " (warmed up)" : "")}: ready.");
                return ExitCodes.Success;
            }
            using var lease = await library.AcquireAsync(model, downloadReport, ct);
            string path = Path.Combine(library.ModelsDirectory, model.FileName);
            var runs = lease.Engine.FixedInputSize is { } side ? $"at its fixed size {side}" : $"at {model.InputSizesText}";
            output.WriteLine($"{model.Id}: {path} ({new FileInfo(path).Length:N0} bytes) loads on {lease.Engine.Runtime} and runs {runs}: ready.");
            return ExitCodes.Success;
        }
        catch (Exception ex) when (ex is ColorizerException or OperationCanceledException)
        {
            error.WriteLine(model.IsOnnxFile && ex is ColorizerException ? $"error: {model.Id}: {ex.Message}" : ErrorText.For(ex));
            return ExitCodes.For(ex);
        }
    }
}
