using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Colorizer.Bench;
using Colorizer.Testing;

// Colorizer benchmark: see docs/benchmarks.md for what it measures, and --help for its options.
//   dotnet run -c Release --project bench/Colorizer.Bench [-- --quick] [--sizes 0.3,2] [--no-cli]
//       [--batch] [--video] [--explore] [--backends] [--reference] [--web] [--guidance] [--models] [--restoration]
//       [--no-batch] [--no-video] [--no-explore] [--no-backends] [--no-reference] [--no-web] [--no-guidance] [--no-models] [--no-restoration]
//       [--docs path] [--cli path/colorizer.dll] [--web-dll path/Colorizer.Web.dll] [--python path] [--keep-work]
//   Without a part flag every part runs: images (sizes, stages, memory, plots), batch (the CLI over a folder), explore
//   (render sizes, batching, threads, FP16), backends (OpenCV DNN against ONNX Runtime), reference (the Python recipe
//   against our CLI; needs python3-opencv: scripts/install-deps.sh --bench), web (the API under 1-8 parallel clients), guidance (hint and reference previews),
//   video, restoration (each repair step at 2 and 12 MP). --no-<part> leaves one out of that full run. With one or more part flags only those parts run, and only
//   their sections of the file are replaced (the image part and the others are kept as they were).
// Hidden (the child processes, and helpers for runs by hand; not in --help, and each runs alone):
//   --one <label> <image.jpg> <models dir> <work dir> <runs> <forward runs> <result.json>   (one image size)
//   --video-one <spec.json> <result.json>                                                   (one video run)
//   --explore-one <models dir> <photo.jpg> <samples> <result.json>                          (render sizes, batches, threads)
//   --precision-one <models dir> <photo.jpg> <name> <target> <samples> <result.json>        (one DNN target against FP32)
//   --backend-one <models dir> <photo.jpg> <variant> <size> <passes> <logits.bin|-> <result.json>   (one backend at one size)
//   --model <dir>   (writes the synthetic model)
//   --clip <pan|grain|clean> <width> <height> <frames> <pan px/frame> <out.mp4>   (writes one benchmark clip)
//   --photo <width> <height> <out.jpg>   (writes one test photo: JPEG as benchmarked, or .png to look at)
//   --decode-cost <runs> <max seconds>   (times OpenCV's decoders on slow-to-decode structures; prints a Markdown table)

const int ModelSeed = 2016;
const int PhotoSeed = 7;
const int JpegQuality = 90;
// A bad option or argument, as the CLI's ExitCodes.Usage (System.CommandLine's own parse-error code is 1).
const int UsageExit = 2;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var quickOption = new Option<bool>("--quick")
{
    Description = "Fewer repetitions and shorter windows everywhere (a few minutes; treat as rough).",
};
var sizesOption = new Option<string?>("--sizes")
{
    Description = "Only these image sizes in the image part, in megapixels, comma-separated: 0.3, 2, 12, 24 (e.g. 0.3,2).",
    HelpName = "list",
};
var noCliOption = new Option<bool>("--no-cli") { Description = "Skip the CLI cold start of the image part." };

(string Name, string What)[] parts =
[
    ("batch", "the CLI over a folder: per-image cost after the first image, JPEG and PNG output, peak memory"),
    ("video", "the video part"),
    ("explore", "the experiments: render-size curve, several images per pass, OpenCV threads, FP16"),
    ("backends", "the inference backends side by side: OpenCV DNN against ONNX Runtime, ORT's session options, the output difference"),
    ("reference", "the reference Python pipeline against our CLI (needs python3-opencv and python3-numpy)"),
    ("web", "the web throughput: the build of src/Colorizer.Web as a child process, 1-8 parallel API clients"),
    ("guidance", "the colour-guidance timings: hint and reference previews, full resolution with hints"),
    ("models", "what Colorizer does around the DDColor and DeOldify models (input, output, compose) per type and size; not the models themselves"),
    ("restoration", "each repair step's time (dust, scratches, noise, contrast) at 2 and 12 megapixels"),
];
var onlyOptions = parts.ToDictionary(p => p.Name, p => new Option<bool>("--" + p.Name)
{
    Description = $"Only {p.What}.",
});
var withoutOptions = parts.ToDictionary(p => p.Name, p => new Option<bool>("--no-" + p.Name)
{
    Description = $"Leave the {p.Name} part out of the full run (its section is kept as it was).",
});

var docsOption = new Option<string?>("--docs")
{
    Description = "The Markdown file to write (default: docs/benchmarks.md of the repository).",
    HelpName = "path",
};
var cliOption = new Option<string?>("--cli")
{
    Description = "The colorizer.dll to time (default: the CLI's build output of the same configuration).",
    HelpName = "path",
};
var webDllOption = new Option<string?>("--web-dll")
{
    Description = "The Colorizer.Web.dll of the web part (default: the web app's build output of the same configuration).",
    HelpName = "path",
};
var pythonOption = new Option<string?>("--python")
{
    Description = "The Python interpreter of the reference part (default: /usr/bin/python3, then python3 on PATH).",
    HelpName = "path",
};
var keepWorkOption = new Option<bool>("--keep-work") { Description = "Keep the temporary work folder (models, photos, clips, results)." };

var oneOption = ChildMode("--one", 7, "<label> <image.jpg> <models dir> <work dir> <runs> <forward runs> <result.json>: one image size");
var videoOneOption = ChildMode("--video-one", 2, "<spec.json> <result.json>: one video run");
var exploreOneOption = ChildMode("--explore-one", 4, "<models dir> <photo.jpg> <samples> <result.json>: render sizes, batches, threads");
var precisionOneOption = ChildMode("--precision-one", 6, "<models dir> <photo.jpg> <name> <target> <samples> <result.json>: one DNN target against FP32");
var backendOneOption = ChildMode("--backend-one", 7,
    "<models dir> <photo.jpg> <variant> <size> <passes> <logits.bin|-> <result.json>: one backend (or ORT option variant) at one render size");
var modelOption = ChildMode("--model", 1, "<dir>: writes the synthetic model");
var clipOption = ChildMode("--clip", 6, "<pan|grain|clean|cut> <width> <height> <frames> <pan px/frame> <out.mp4>: writes one benchmark clip");
var photoOption = ChildMode("--photo", 3, "<width> <height> <out.jpg|out.png>: writes one test photo");
var decodeCostOption = ChildMode("--decode-cost", 2, "<runs> <max seconds>: times OpenCV's decoders on slow-to-decode structures (docs/operations.md)");

(Option<string[]> Option, Func<string[], Task<int>> Run)[] childModes =
[
    (oneOption, async v =>
    {
        var result = await SizeRun.RunAsync(v[0], v[1], v[2], v[3], Int(v[4]), Int(v[5]));
        await File.WriteAllTextAsync(v[6], JsonSerializer.Serialize(result));
        return 0;
    }),
    (videoOneOption, async v =>
    {
        var spec = JsonSerializer.Deserialize<VideoRunSpec>(await File.ReadAllTextAsync(v[0]))!;
        var result = await VideoRun.RunAsync(spec);
        await File.WriteAllTextAsync(v[1], JsonSerializer.Serialize(result));
        return 0;
    }),
    (exploreOneOption, async v =>
    {
        var result = ExploreRun.Run(v[0], v[1], Int(v[2]));
        await File.WriteAllTextAsync(v[3], JsonSerializer.Serialize(result));
        return 0;
    }),
    (precisionOneOption, async v =>
    {
        var result = ExploreRun.RunPrecision(v[0], v[1], v[2], Int(v[3]), Int(v[4]));
        await File.WriteAllTextAsync(v[5], JsonSerializer.Serialize(result));
        return 0;
    }),
    (backendOneOption, async v =>
    {
        var result = BackendRun.Run(v[0], v[1], v[2], Int(v[3]), Int(v[4]), v[5]);
        await File.WriteAllTextAsync(v[6], JsonSerializer.Serialize(result));
        return 0;
    }),
    (modelOption, v =>
    {
        // Writes the benchmark's synthetic model, for runs by hand with --one or --video-one.
        Console.WriteLine(SyntheticModels.WriteFullSize(v[0], ModelSeed).Directory);
        return Task.FromResult(0);
    }),
    (clipOption, v =>
    {
        // Writes one benchmark clip, to look at or to run by hand with --video-one.
        var kind = v[0] switch { "pan" => SceneKind.Pan, "grain" => SceneKind.StaticGrain, "cut" => SceneKind.Cut, _ => SceneKind.StaticClean };
        var clip = new ClipSpec(kind, Int(v[1]), Int(v[2]), Int(v[3]), Int(v[4]), VideoBench.Grain);
        VideoClips.Write(Colorizer.Core.Video.Ffmpeg.Locate() ?? throw new InvalidOperationException("ffmpeg is not on PATH."), clip, v[5], PhotoSeed);
        return Task.FromResult(0);
    }),
    (decodeCostOption, v => Task.FromResult(DecodeCostBench.Run(Console.Out, Int(v[0]), double.Parse(v[1], CultureInfo.InvariantCulture)))),
    (photoOption, async v =>
    {
        // Writes one test photo, to look at what the benchmark feeds the engine.
        using var photo = PhotoGenerator.Grey(Int(v[0]), Int(v[1]), PhotoSeed);
        if (v[2].EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            OpenCvSharp.Cv2.ImWrite(v[2], photo);
        else
            await File.WriteAllBytesAsync(v[2], PhotoGenerator.EncodeJpeg(photo, JpegQuality));
        return 0;
    }),
];

var root = new RootCommand("Colorizer benchmark: times the engine, the CLI, the web app and videos on a synthetic full-size model, " +
    "and writes the results to docs/benchmarks.md (see its Method). Without a part flag every part runs and the whole file is rewritten; " +
    "part flags combine, and with any of them only their sections are replaced (the image part is kept as it was).")
{
    quickOption, sizesOption, noCliOption,
};
foreach (var (name, _) in parts)
    root.Options.Add(onlyOptions[name]);
foreach (var (name, _) in parts)
    root.Options.Add(withoutOptions[name]);
root.Options.Add(docsOption);
root.Options.Add(cliOption);
root.Options.Add(webDllOption);
root.Options.Add(pythonOption);
root.Options.Add(keepWorkOption);
foreach (var (option, _) in childModes)
    root.Options.Add(option);

root.Validators.Add(command =>
{
    foreach (var (name, _) in parts)
    {
        if (command.GetValue(onlyOptions[name]) && command.GetValue(withoutOptions[name]))
            command.AddError($"--{name} and --no-{name} exclude each other.");
    }
    // A child mode does one thing: anything else given with it would be silently ignored.
    var given = command.Children.OfType<OptionResult>().Where(r => !r.Implicit).ToList();
    var mode = given.FirstOrDefault(r => childModes.Any(m => m.Option == r.Option));
    if (mode is not null && given.Count > 1)
        command.AddError($"{mode.Option.Name} takes no other option.");
});

root.SetAction(async (parse, _) =>
{
    foreach (var (option, run) in childModes)
    {
        if (parse.GetResult(option) is not null)
            return await run(parse.GetValue(option)!);
    }
    return await RunAllAsync(parse);
});

var parsed = root.Parse(args);
int exitCode = await parsed.InvokeAsync();
return parsed.Action is ParseErrorAction ? UsageExit : exitCode;

// The whole benchmark (or the parts asked for), writing the Markdown file.
async Task<int> RunAllAsync(ParseResult parse)
{
    bool quick = parse.GetValue(quickOption);
    var only = parts.Select(p => p.Name).Where(p => parse.GetValue(onlyOptions[p])).ToHashSet();
    var excluded = parts.Select(p => p.Name).Where(p => parse.GetValue(withoutOptions[p])).ToHashSet();
    bool Part(string name) => only.Count > 0 ? only.Contains(name) : !excluded.Contains(name);
    bool withImages = only.Count == 0;
    bool withVideo = Part("video"), withExplore = Part("explore"), withReference = Part("reference"), withWeb = Part("web"), withGuidance = Part("guidance"), withBatch = Part("batch");
    bool withModels = Part("models");
    bool withBackends = Part("backends"), withRestoration = Part("restoration");
    bool withCli = withImages && !parse.GetValue(noCliOption);
    string? sizesArgument = parse.GetValue(sizesOption);
    string docsPath = parse.GetValue(docsOption) ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
    string? cliOverride = parse.GetValue(cliOption);

    SizeSpec[] allSizes =
    [
        new("0.3 MP", 640, 480, Runs: 5, QuickRuns: 2),
        new("2 MP", 1632, 1224, Runs: 5, QuickRuns: 2),
        new("12 MP", 4000, 3000, Runs: 3, QuickRuns: 1),
        new("24 MP", 5664, 4248, Runs: 3, QuickRuns: 1),
    ];
    // The 0.7 MP photo of the explore, reference and web parts (a typical scan or phone upload, scaled down).
    var smallPhoto = new SizeSpec("0.7 MP", 960, 720, Runs: 0, QuickRuns: 0);
    var sizes = !withImages
        ? []
        : sizesArgument is null
        ? allSizes
        : allSizes.Where(s => sizesArgument.Split(',').Any(w => s.Label.StartsWith(w + " ", StringComparison.Ordinal))).ToArray();
    int forwardRuns = quick ? 3 : 5;
    int cliRuns = quick ? 1 : 3;
    string[] cliSizes = quick ? ["12 MP"] : ["0.3 MP", "12 MP"];

    var total = Stopwatch.StartNew();
    var machine = MachineInfo.Collect();
    string work = Path.Combine(Path.GetTempPath(), "colorizer-bench-" + Guid.NewGuid().ToString("N")[..12]);
    Directory.CreateDirectory(work);
    try
    {
        Console.Error.WriteLine($"Working in {work}");
        var clock = Stopwatch.StartNew();
        var model = SyntheticModels.WriteFullSize(Path.Combine(work, "models"), ModelSeed);
        long modelBytes = new FileInfo(model.WeightsPath).Length;
        Console.Error.WriteLine($"Synthetic model written ({modelBytes:N0} bytes) in {clock.Elapsed.TotalSeconds:0.0} s");

        var images = new Dictionary<string, string>();
        var photoSizes = allSizes.Where(s => sizes.Contains(s) || (withCli && cliSizes.Contains(s.Label)) || (withReference && s.Label == "12 MP")
        || ((withGuidance || withModels) && s.Label is "2 MP" or "12 MP") || (withBatch && s.Label is "12 MP" or "24 MP")).ToList();
        if (withExplore || withBackends || withReference || withWeb || withBatch)
            photoSizes.Add(smallPhoto);
        foreach (var size in photoSizes)
        {
            using var photo = PhotoGenerator.Grey(size.Width, size.Height, PhotoSeed);
            string path = Path.Combine(work, $"photo-{size.Width}x{size.Height}.jpg");
            await File.WriteAllBytesAsync(path, PhotoGenerator.EncodeJpeg(photo, JpegQuality));
            images[size.Label] = path;
        }
        Console.Error.WriteLine($"Test photos written in {clock.Elapsed.TotalSeconds:0.0} s");

        var results = new List<SizeResult>();
        foreach (var size in sizes)
        {
            Console.Error.WriteLine($"{size.Label} ({size.Width}×{size.Height}): child process");
            string json = Path.Combine(work, $"result-{size.Width}.json");
            int runs = quick ? size.QuickRuns : size.Runs;
            int code = await RunChildAsync(["--one", size.Label, images[size.Label], model.Directory, work,
                runs.ToString(CultureInfo.InvariantCulture), forwardRuns.ToString(CultureInfo.InvariantCulture), json]);
            if (code != 0)
                throw new InvalidOperationException($"The child process for {size.Label} exited with {code}.");
            results.Add(JsonSerializer.Deserialize<SizeResult>(await File.ReadAllTextAsync(json))!);
        }

        var cliResults = new List<CliRun>();
        string? cliNote = null;
        string? cli = ColdStart.FindCli(cliOverride);
        if (withCli)
        {
            if (cli is null)
            {
                cliNote = "colorizer.dll was not found next to this build; the CLI cold start was not measured.";
                Console.Error.WriteLine(cliNote);
            }
            else
            {
                foreach (string label in cliSizes)
                {
                    for (int i = 0; i < cliRuns; i++)
                    {
                        var run = await ColdStart.RunAsync(cli, label, images[label], model.Directory, Path.Combine(work, "cli-out"));
                        Console.Error.WriteLine($"CLI cold, {label}: {run.WallMs:0} ms");
                        cliResults.Add(run);
                    }
                }
                cliNote = $"`dotnet {Path.GetRelativePath(RepositoryRoot(), cli)} colorize <photo.jpg> --output <dir> --models <synthetic model dir> --offline`";
            }
        }
        var imagesElapsed = total.Elapsed;
        string docsDirectory = Path.GetDirectoryName(Path.GetFullPath(docsPath))!;
        Directory.CreateDirectory(docsDirectory);
        bool plotted = withImages && BenchPlots.Write(results, docsDirectory);

        var fresh = new Dictionary<DocSection, string>();
        if (withBatch)
        {
            Console.Error.WriteLine("Batch: the CLI over a folder");
            string batchCli = cli ?? throw new InvalidOperationException("colorizer.dll was not found next to this build: build Colorizer.sln in Release first.");
            var batch = await CliBatchBench.RunAsync(batchCli, model.Directory, work,
                [(smallPhoto.Label, images[smallPhoto.Label], 9), ("12 MP", images["12 MP"], 7), ("24 MP", images["24 MP"], 5)], quick);
            fresh[DocSection.Batch] = CliBatchBench.Markdown(batch, $"`dotnet {Path.GetRelativePath(RepositoryRoot(), batchCli)} colorize <folder> --output <dir> --models <synthetic model> --offline`");
        }
        if (withExplore)
        {
            Console.Error.WriteLine("Explore: render sizes, batches, threads, precision");
            var explore = await ExploreBench.RunAsync(model.Directory, images[smallPhoto.Label], work, quick, RunChildCapturingAsync);
            fresh[DocSection.Explore] = new ExploreReport(explore, quick).Markdown();
        }
        if (withBackends)
        {
            Console.Error.WriteLine("Backends: OpenCV DNN against ONNX Runtime");
            var backends = await BackendBench.RunAsync(model.Directory, images[smallPhoto.Label], smallPhoto.Label, work, quick, RunChildCapturingAsync);
            fresh[DocSection.Backends] = new BackendReport(backends).Markdown();
        }
        if (withReference)
        {
            Console.Error.WriteLine("Reference: the Python recipe against our CLI");
            var reference = await ReferenceBench.RunAsync(new ReferenceSetup(model.Directory, work, RepositoryRoot(), quick, cli, parse.GetValue(pythonOption),
                [(smallPhoto.Label, images[smallPhoto.Label]), ("12 MP", images["12 MP"])]));
            fresh[DocSection.Reference] = new ReferenceReport(reference).Markdown();
        }
        if (withWeb)
        {
            Console.Error.WriteLine("Web: the API under parallel clients");
            var web = await WebBench.RunAsync(WebBench.FindWebDll(parse.GetValue(webDllOption)), model.Directory, images[smallPhoto.Label], smallPhoto.Label, work, quick);
            fresh[DocSection.Web] = new WebReport(web).Markdown();
        }
        if (withGuidance)
        {
            Console.Error.WriteLine("Guidance: hint and reference previews");
            var guidance = await GuidanceBench.RunAsync(model.Directory, [("2 MP", images["2 MP"]), ("12 MP", images["12 MP"])], quick);
            fresh[DocSection.Guidance] = GuidanceBench.Markdown(guidance);
        }
        if (withModels)
        {
            Console.Error.WriteLine("Models: around DDColor and DeOldify");
            var around = await ModelsBench.RunAsync([("2 MP", images["2 MP"]), ("12 MP", images["12 MP"])], quick);
            fresh[DocSection.Models] = ModelsBench.Markdown(around);
        }
        if (withRestoration)
        {
            Console.Error.WriteLine("Restoration: each repair step");
            var restoration = RestorationBench.Run([("2 MP", 1632, 1224), ("12 MP", 4000, 3000)], PhotoSeed, quick);
            fresh[DocSection.Restoration] = RestorationBench.Markdown(restoration);
        }
        if (withVideo)
        {
            Console.Error.WriteLine("Video");
            var video = await VideoBench.RunAsync(model.Directory, work, quick, PhotoSeed, RunChildAsync);
            fresh[DocSection.Video] = new VideoReport(machine, video).Markdown();
        }
        total.Stop();

        string existing = File.Exists(docsPath) ? await File.ReadAllTextAsync(docsPath) : "";
        string head = withImages
            ? new Report(machine, quick, modelBytes, ModelSeed, JpegQuality, forwardRuns, results, cliResults, cliNote, imagesElapsed, plotted).Markdown()
            : existing.Length > 0
            ? existing[..DocSection.HeadLength(existing)]
            : "# Benchmarks\n\nThe image part has not been run yet: `dotnet run -c Release --project bench/Colorizer.Bench`.\n";
        string markdown = DocSection.Compose(head, existing, fresh);
        await File.WriteAllTextAsync(docsPath, markdown);
        Console.WriteLine(withImages ? markdown : string.Join("\n", fresh.Values));
        Console.Error.WriteLine($"Wrote {docsPath} (total {total.Elapsed.TotalSeconds:0} s)");
        return 0;
    }
    finally
    {
        if (parse.GetValue(keepWorkOption))
            Console.Error.WriteLine($"Kept {work}");
        else
            Directory.Delete(work, recursive: true);
    }
}

// One hidden child mode: `--one a b c`, a fixed number of values after the name, as the parent passes them.
static Option<string[]> ChildMode(string name, int values, string usage) => new(name)
{
    Description = usage,
    Arity = new ArgumentArity(values, values),
    AllowMultipleArgumentsPerToken = true,
    Hidden = true,
};

static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Colorizer.sln")))
            return directory.FullName;
    }
    return Directory.GetCurrentDirectory();
}

// Re-invokes this executable (the apphost, or dotnet + this dll) with the given arguments; output goes to our console.
static async Task<int> RunChildAsync(string[] arguments)
{
    string host = Environment.ProcessPath ?? throw new InvalidOperationException("Unknown process path.");
    var start = new ProcessStartInfo(host) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        start.ArgumentList.Add(typeof(SizeSpec).Assembly.Location);
    foreach (string argument in arguments)
        start.ArgumentList.Add(argument);
    using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
    await process.WaitForExitAsync();
    return process.ExitCode;
}

// The same, with the child's standard error echoed to ours line by line and kept in `stderr` (when given).
static async Task<int> RunChildCapturingAsync(string[] arguments, List<string>? stderr)
{
    if (stderr is null)
        return await RunChildAsync(arguments);
    string host = Environment.ProcessPath ?? throw new InvalidOperationException("Unknown process path.");
    var start = new ProcessStartInfo(host) { UseShellExecute = false, RedirectStandardError = true };
    if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        start.ArgumentList.Add(typeof(SizeSpec).Assembly.Location);
    foreach (string argument in arguments)
        start.ArgumentList.Add(argument);
    using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the child process.");
    while (await process.StandardError.ReadLineAsync() is { } line)
    {
        Console.Error.WriteLine(line);
        stderr.Add(line);
    }
    await process.WaitForExitAsync();
    return process.ExitCode;
}

namespace Colorizer.Bench
{
    internal sealed record SizeSpec(string Label, int Width, int Height, int Runs, int QuickRuns);
}
