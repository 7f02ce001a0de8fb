using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Colorizer.Bench;
using Colorizer.Testing;

// Colorizer benchmark: see docs/benchmarks.md for what it measures.
//   dotnet run -c Release --project bench/Colorizer.Bench [-- --quick] [--sizes 0.3,2] [--no-cli]
//       [--video] [--explore] [--reference] [--web] [--guidance] [--no-video] [--no-explore] [--no-reference] [--no-web] [--no-guidance]
//       [--docs path] [--cli path/colorizer.dll] [--web-dll path/Colorizer.Web.dll] [--python path] [--keep-work]
//   Without a part flag every part runs: images (sizes, stages, memory, plots), explore (render sizes, batching,
//   threads, FP16), reference (the Python recipe against our CLI; needs python3-opencv: scripts/install-deps.sh
//   --bench), web (the API under 1-8 parallel clients), guidance (hint and reference previews), video. --no-<part>
//   leaves one out of that full run. With one
//   or more of --video, --explore, --reference, --web only those parts run, and only their sections of the file are
//   replaced (the image part and the others are kept as they were).
// Hidden (the child processes):
//   --one <label> <image.jpg> <models dir> <work dir> <runs> <forward runs> <result.json>   (one image size)
//   --video-one <spec.json> <result.json>                                                   (one video run)
//   --explore-one <models dir> <photo.jpg> <samples> <result.json>                          (render sizes, batches, threads)
//   --precision-one <models dir> <photo.jpg> <name> <target> <samples> <result.json>        (one DNN target against FP32)
//   --model <dir>   (writes the synthetic model)
//   --clip <pan|grain|clean> <width> <height> <frames> <pan px/frame> <out.mp4>   (writes one benchmark clip)
//   --photo <width> <height> <out.jpg>   (writes one test photo: JPEG as benchmarked, or .png to look at)

const int ModelSeed = 2016;
const int PhotoSeed = 7;
const int JpegQuality = 90;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (args.Length > 0 && args[0] == "--one")
{
    if (args.Length != 8)
    {
        Console.Error.WriteLine("usage: --one <label> <image> <models> <work> <runs> <forward runs> <result.json>");
        return 2;
    }
    var result = await SizeRun.RunAsync(args[1], args[2], args[3], args[4], int.Parse(args[5], CultureInfo.InvariantCulture),
        int.Parse(args[6], CultureInfo.InvariantCulture));
    await File.WriteAllTextAsync(args[7], JsonSerializer.Serialize(result));
    return 0;
}

if (args.Length > 0 && args[0] == "--video-one")
{
    if (args.Length != 3)
    {
        Console.Error.WriteLine("usage: --video-one <spec.json> <result.json>");
        return 2;
    }
    var spec = JsonSerializer.Deserialize<VideoRunSpec>(await File.ReadAllTextAsync(args[1]))!;
    var result = await VideoRun.RunAsync(spec);
    await File.WriteAllTextAsync(args[2], JsonSerializer.Serialize(result));
    return 0;
}

if (args.Length == 5 && args[0] == "--explore-one")
{
    var result = ExploreRun.Run(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));
    await File.WriteAllTextAsync(args[4], JsonSerializer.Serialize(result));
    return 0;
}

if (args.Length == 7 && args[0] == "--precision-one")
{
    var result = ExploreRun.RunPrecision(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture),
        int.Parse(args[5], CultureInfo.InvariantCulture));
    await File.WriteAllTextAsync(args[6], JsonSerializer.Serialize(result));
    return 0;
}

if (args.Length == 2 && args[0] == "--model")
{
    // Writes the benchmark's synthetic model, for runs by hand with --one or --video-one.
    Console.WriteLine(SyntheticModels.WriteFullSize(args[1], ModelSeed).Directory);
    return 0;
}

if (args.Length == 7 && args[0] == "--clip")
{
    // Writes one benchmark clip, to look at or to run by hand with --video-one: --clip <pan|grain|clean> <w> <h> <frames> <pan px/frame> <out.mp4>
    var kind = args[1] switch { "pan" => SceneKind.Pan, "grain" => SceneKind.StaticGrain, _ => SceneKind.StaticClean };
    var clip = new ClipSpec(kind, int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture),
        int.Parse(args[4], CultureInfo.InvariantCulture), int.Parse(args[5], CultureInfo.InvariantCulture), VideoBench.Grain);
    VideoClips.Write(Colorizer.Core.Video.Ffmpeg.Locate() ?? throw new InvalidOperationException("ffmpeg is not on PATH."), clip, args[6], PhotoSeed);
    return 0;
}

if (args.Length == 4 && args[0] == "--photo")
{
    // Writes one test photo, to look at what the benchmark feeds the engine.
    using var photo = PhotoGenerator.Grey(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture), PhotoSeed);
    if (args[3].EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        OpenCvSharp.Cv2.ImWrite(args[3], photo);
    else
        await File.WriteAllBytesAsync(args[3], PhotoGenerator.EncodeJpeg(photo, JpegQuality));
    return 0;
}

bool quick = args.Contains("--quick");
string[] partNames = ["batch", "video", "explore", "reference", "web", "guidance"];
var only = partNames.Where(p => args.Contains("--" + p)).ToHashSet();
var excluded = partNames.Where(p => args.Contains("--no-" + p)).ToHashSet();
if (only.Overlaps(excluded))
{
    Console.Error.WriteLine($"--{only.Intersect(excluded).First()} and --no-{only.Intersect(excluded).First()} exclude each other.");
    return 2;
}
bool Part(string name) => only.Count > 0 ? only.Contains(name) : !excluded.Contains(name);
bool withImages = only.Count == 0;
bool withVideo = Part("video"), withExplore = Part("explore"), withReference = Part("reference"), withWeb = Part("web"), withGuidance = Part("guidance"), withBatch = Part("batch");
bool withCli = withImages && !args.Contains("--no-cli");
string? sizesArgument = Option("--sizes");
string docsPath = Option("--docs") ?? Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");
string? cliOverride = Option("--cli");

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
    || (withGuidance && s.Label is "2 MP" or "12 MP") || (withBatch && s.Label is "12 MP" or "24 MP")).ToList();
    if (withExplore || withReference || withWeb || withBatch)
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
    if (withReference)
    {
        Console.Error.WriteLine("Reference: the Python recipe against our CLI");
        var reference = await ReferenceBench.RunAsync(new ReferenceSetup(model.Directory, work, RepositoryRoot(), quick, cli, Option("--python"),
            [(smallPhoto.Label, images[smallPhoto.Label]), ("12 MP", images["12 MP"])]));
        fresh[DocSection.Reference] = new ReferenceReport(reference).Markdown();
    }
    if (withWeb)
    {
        Console.Error.WriteLine("Web: the API under parallel clients");
        var web = await WebBench.RunAsync(WebBench.FindWebDll(Option("--web-dll")), model.Directory, images[smallPhoto.Label], smallPhoto.Label, work, quick);
        fresh[DocSection.Web] = new WebReport(web).Markdown();
    }
    if (withGuidance)
    {
        Console.Error.WriteLine("Guidance: hint and reference previews");
        var guidance = await GuidanceBench.RunAsync(model.Directory, [("2 MP", images["2 MP"]), ("12 MP", images["12 MP"])], quick);
        fresh[DocSection.Guidance] = GuidanceBench.Markdown(guidance);
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
    if (args.Contains("--keep-work"))
        Console.Error.WriteLine($"Kept {work}");
    else
        Directory.Delete(work, recursive: true);
}

string? Option(string name)
{
    int index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

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
