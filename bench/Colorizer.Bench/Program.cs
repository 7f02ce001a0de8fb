using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Colorizer.Bench;
using Colorizer.Testing;

// Colorizer benchmark: see docs/benchmarks.md for what it measures.
//   dotnet run -c Release --project bench/Colorizer.Bench [-- --quick] [--sizes 0.3,2] [--no-cli] [--docs path] [--cli path/colorizer.dll]
// Hidden (the child process for one size):
//   --one <label> <image.jpg> <models dir> <work dir> <runs> <forward runs> <result.json>
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
bool withCli = !args.Contains("--no-cli");
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
var sizes = sizesArgument is null
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
    foreach (var size in allSizes.Where(s => sizes.Contains(s) || (withCli && cliSizes.Contains(s.Label))))
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
    if (withCli)
    {
        string? cli = ColdStart.FindCli(cliOverride);
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

    total.Stop();
    var report = new Report(machine, quick, modelBytes, ModelSeed, JpegQuality, forwardRuns, results, cliResults, cliNote, total.Elapsed);
    string markdown = report.Markdown();
    Directory.CreateDirectory(Path.GetDirectoryName(docsPath)!);
    await File.WriteAllTextAsync(docsPath, markdown);
    Console.WriteLine(markdown);
    Console.Error.WriteLine($"Wrote {docsPath} (total {total.Elapsed.TotalSeconds:0} s)");
    return 0;
}
finally
{
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

namespace Colorizer.Bench
{
    internal sealed record SizeSpec(string Label, int Width, int Height, int Runs, int QuickRuns);
}
