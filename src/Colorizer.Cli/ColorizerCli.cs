using System.CommandLine;
using Colorizer.Cli.Commands;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colorizer.Cli;

/// <summary>The <c>colorizer</c> command line: a thin shell over Colorizer.Core.</summary>
public static class ColorizerCli
{
    /// <summary>The <c>--models</c> option shared by every command.</summary>
    internal static readonly Option<string?> ModelsOption = new("--models")
    {
        Description = "The folder with the model files (default: $COLORIZER_MODELS, then the repository's models/ or ~/.local/share/colorizer/models).",
        Recursive = true,
    };

    /// <summary>The <c>--backend</c> option shared by every command: the runtime that runs the network.</summary>
    internal static readonly Option<string> BackendOption = CreateBackendOption();

    /// <summary>The <c>--precision</c> option shared by every command: the ONNX backend's number format.</summary>
    internal static readonly Option<string> PrecisionOption = CreatePrecisionOption();

    internal static readonly Option<bool> OfflineOption = new("--offline")
    {
        Description = "Never download the model weights; if they are missing, say where to get them and stop.",
        Recursive = true,
    };

    internal static readonly Option<bool> VerboseOption = new("--verbose", "-v")
    {
        Description = "Log what the engine does (timings, model loading).",
        Recursive = true,
    };

    private static Option<string> CreateBackendOption()
    {
        var option = new Option<string>("--backend")
        {
            Description = $"The runtime that runs the network: {InferenceBackendNames.Onnx} (ONNX Runtime) or {InferenceBackendNames.OpenCv} (OpenCV's DNN module).",
            DefaultValueFactory = _ => InferenceBackendNames.Of(InferenceBackendDefaults.Default),
            Recursive = true,
        };
        option.AcceptOnlyFromAmong([.. InferenceBackendNames.All]);
        return option;
    }

    private static Option<string> CreatePrecisionOption()
    {
        var option = new Option<string>("--precision")
        {
            Description = "The ONNX backend's number format: fp32, or int8 (calibrated at load; faster, but its colours are unchecked against the release weights: see docs/models.md).",
            DefaultValueFactory = _ => InferencePrecisionNames.Fp32,
            Recursive = true,
        };
        option.AcceptOnlyFromAmong([.. InferencePrecisionNames.All]);
        return option;
    }

    /// <summary>Parses <paramref name="args"/> and runs the command, writing to the given writers. Returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var root = new RootCommand("Colorizer: turns black-and-white photos into plausible colour ones (Zhang, Isola & Efros, ECCV 2016).")
        {
            ModelsOption,
            BackendOption,
            PrecisionOption,
            OfflineOption,
            VerboseOption,
        };
        root.Subcommands.Add(ColorizeCommand.Create(output, error));
        root.Subcommands.Add(ModelsCommand.Create(output, error));
        root.Subcommands.Add(JoinCommand.Create(output, error));
        var parse = root.Parse(args);
        // Before System.CommandLine's own errors and any action: a mistyped option is the cause to name, and it must stop
        // the run before the model loads or a file is written.
        var unknown = UnknownOptions.Describe(parse);
        if (unknown.Count > 0)
        {
            foreach (var line in unknown)
                error.WriteLine(line);
            return ExitCodes.Usage;
        }
        if (parse.Errors.Count == 0 && parse.GetValue(PrecisionOption) == InferencePrecisionNames.Int8 && parse.GetValue(BackendOption) == InferenceBackendNames.OpenCv)
        {
            error.WriteLine("error: --precision int8 needs --backend onnx; OpenCV's backend runs fp32 only.");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        int code = await parse.InvokeAsync(configuration, ct);
        // System.CommandLine prints its parse errors (a bad --format, a missing --output) and returns 1; a usage error
        // is exit 2 here, as documented, so that 1 keeps meaning "some inputs failed".
        return parse.Errors.Count > 0 ? ExitCodes.Usage : code;
    }

    /// <summary>The services a command needs, with logging to standard error.</summary>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="error">Where logs go.</param>
    /// <param name="warmUp">
    /// Run a forward pass right after loading. Off for <c>colorize</c>: its first image pays OpenCV's first-pass cost
    /// once anyway, and a separate warm-up pass would only delay the first result.
    /// </param>
    internal static ServiceProvider BuildServices(ParseResult parse, TextWriter error, bool warmUp)
    {
        var services = new ServiceCollection();
        bool verbose = parse.GetValue(VerboseOption);
        services.AddLogging(logging =>
        {
            var minimum = verbose ? LogLevel.Debug : LogLevel.Warning;
            logging.SetMinimumLevel(minimum);
            // A failed model load ends the command, which says so itself (ErrorText, with a command to copy); the
            // host's own error line would only repeat it. (A filter function replaces the minimum level, so it checks that too.)
            logging.AddFilter((category, level) =>
                level >= minimum && (verbose || level != LogLevel.Error || category != typeof(ModelHost).FullName));
            logging.AddProvider(new TextWriterLoggerProvider(error));
        });
        string? models = parse.GetValue(ModelsOption);
        bool offline = parse.GetValue(OfflineOption);
        // AcceptOnlyFromAmong has refused anything else before a command runs.
        if (!InferenceBackendNames.TryParse(parse.GetValue(BackendOption), out var backend))
            throw new InvalidOperationException($"--backend is not {InferenceBackendNames.Choices}.");
        if (!InferencePrecisionNames.TryParse(parse.GetValue(PrecisionOption), out var precision))
            throw new InvalidOperationException($"--precision is not {InferencePrecisionNames.Choices}.");
        services.AddColorizerCore(options =>
        {
            options.ModelsDirectory = models;
            options.Backend = backend;
            options.Precision = precision;
            options.DownloadWeights = !offline;
            options.WarmUp = warmUp;
        });
        return services.BuildServiceProvider();
    }
}
