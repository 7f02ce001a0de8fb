using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Colorizer.Core.Models;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>What the reference part needs: the model, a work folder, the photos (label and JPEG path), the tools.</summary>
internal sealed record ReferenceSetup(
    string ModelsDirectory, string Work, string RepositoryRoot, bool Quick, string? CliDll, string? PythonOverride,
    IReadOnlyList<(string Label, string Path)> Photos);

/// <summary>One photo: the Python recipe (a process for several images, the net reloaded for each) and our CLI (cold and in a batch).</summary>
internal sealed record ReferencePhoto
{
    public required string Label { get; init; }
    public int Width { get; set; }
    public int Height { get; set; }
    public string LoadAverage { get; set; } = "";
    public int PythonImages { get; set; }
    public double PythonProcessMs { get; set; }
    public double PythonImportMs { get; set; }
    /// <summary>Per image: the script's stage times in milliseconds (load_ms, forward_ms, …, total_ms).</summary>
    public List<Dictionary<string, double>> PythonStages { get; init; } = [];
    public List<double> CliColdMs { get; init; } = [];
    public int CliBatchImages { get; set; }
    public double CliBatchMs { get; set; }
    public List<double> CliBatchItemMs { get; init; } = [];
    /// <summary>Mean absolute difference of the two outputs (8-bit BGR, all channels), or NaN.</summary>
    public double OutputMeanDiff { get; set; } = double.NaN;
    public double OutputMaxDiff { get; set; } = double.NaN;
}

internal sealed record ReferenceResult(string? Skipped, string Python, string PythonVersion, string PythonOpenCv, string NumPy, int PythonThreads,
    IReadOnlyList<ReferencePhoto> Photos, string? CliNote, TimeSpan Elapsed);

/// <summary>
/// The reference part: bench/reference/colorize_reference.py (the authors' recipe with OpenCV-python and numpy,
/// reloading the net for every image as their demo does) against our CLI on the same photos and model.
/// </summary>
internal static partial class ReferenceBench
{
    public const string ScriptPath = "bench/reference/colorize_reference.py";
    private const int BatchCopies = 4;

    public static async Task<ReferenceResult> RunAsync(ReferenceSetup setup)
    {
        var total = Stopwatch.StartNew();
        string script = Path.Combine(setup.RepositoryRoot, ScriptPath);
        var python = FindPython(setup.PythonOverride);
        if (python is null || !File.Exists(script))
        {
            string reason = python is null
                ? "No Python 3 with OpenCV and numpy was found (`/usr/bin/python3`, then `python3` on PATH, tried with `import cv2, numpy`): " +
                  "this section was skipped. Install them with `./scripts/install-deps.sh --bench` (Debian's `python3-opencv` and `python3-numpy`)."
                : $"{ScriptPath} is missing: this section was skipped.";
            Console.Error.WriteLine(reason);
            return new ReferenceResult(reason, "", "", "", "", 0, [], null, total.Elapsed);
        }

        string directory = Path.Combine(setup.Work, "reference");
        Directory.CreateDirectory(directory);
        string prototxt = RawNet.WriteTrimmedPrototxt(Path.Combine(directory, "colorization_trimmed.prototxt"));
        string weights = Path.Combine(setup.ModelsDirectory, ModelFileNames.Weights);
        string points = Path.Combine(setup.ModelsDirectory, ModelFileNames.BinCentres);
        int pythonImages = setup.Quick ? 2 : 3, coldRuns = setup.Quick ? 1 : 2;

        var photos = new List<ReferencePhoto>();
        JsonElement? startup = null;
        foreach (var (label, path) in setup.Photos)
        {
            var photo = new ReferencePhoto { Label = label, LoadAverage = Load.Average(), PythonImages = pythonImages };
            string pythonOut = Path.Combine(directory, "python-" + photo.PythonImages + "-" + Path.GetFileNameWithoutExtension(path));
            var arguments = new List<string> { script, "--prototxt", prototxt, "--weights", weights, "--points", points, "--output", pythonOut };
            arguments.AddRange(Enumerable.Repeat(path, pythonImages));
            var (wallMs, lines) = await ChildProcess.RunAsync(python.Value.Path, arguments);
            photo.PythonProcessMs = wallMs;
            foreach (string line in lines.Where(l => l.StartsWith('{')))
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.TryGetProperty("startup", out _))
                {
                    startup = json.RootElement.Clone();
                    photo.PythonImportMs = json.RootElement.GetProperty("import_ms").GetDouble();
                    continue;
                }
                photo.PythonStages.Add(json.RootElement.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Name.EndsWith("_ms", StringComparison.Ordinal))
                    .ToDictionary(p => p.Name, p => p.Value.GetDouble()));
                photo.Width = json.RootElement.GetProperty("width").GetInt32();
                photo.Height = json.RootElement.GetProperty("height").GetInt32();
            }
            Console.Error.WriteLine($"  python {label}: {wallMs:0} ms for {pythonImages} images (per image {Stats.Median(photo.PythonStages.Select(s => s["total_ms"]).ToList()):0} ms)");

            if (setup.CliDll is not null)
            {
                string cliOut = Path.Combine(directory, "cli-" + Path.GetFileNameWithoutExtension(path));
                for (int i = 0; i < coldRuns; i++)
                {
                    // PNG like the reference's, for the same encode cost and a lossless comparison.
                    var cold = await ColdStart.RunAsync(setup.CliDll, label, path, setup.ModelsDirectory, cliOut, "--format", "png");
                    photo.CliColdMs.Add(cold.WallMs);
                }
                Console.Error.WriteLine($"  CLI cold {label}: {Stats.Median(photo.CliColdMs):0} ms");
                (photo.OutputMeanDiff, photo.OutputMaxDiff) = Compare(
                    Path.Combine(pythonOut, Path.GetFileNameWithoutExtension(path) + ".png"), Path.Combine(cliOut, Path.GetFileNameWithoutExtension(path) + ".png"));

                string batchIn = Path.Combine(directory, "batch-in-" + Path.GetFileNameWithoutExtension(path));
                Directory.CreateDirectory(batchIn);
                for (int i = 0; i < BatchCopies; i++)
                    File.Copy(path, Path.Combine(batchIn, $"copy{i + 1}.jpg"), overwrite: true);
                string batchOut = Path.Combine(directory, "batch-out-" + Path.GetFileNameWithoutExtension(path));
                var (batchMs, batchLines) = await ChildProcess.RunAsync("dotnet",
                    [setup.CliDll, "colorize", batchIn, "--output", batchOut, "--models", setup.ModelsDirectory, "--offline",
                     "--backend", BenchBackend.Name, "--format", "png"]);
                photo.CliBatchImages = BatchCopies;
                photo.CliBatchMs = batchMs;
                photo.CliBatchItemMs.AddRange(batchLines.Select(l => ItemTime().Match(l)).Where(m => m.Success)
                    .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 1000));
                Console.Error.WriteLine($"  CLI batch of {BatchCopies} {label}: {batchMs:0} ms");
            }
            photos.Add(photo);
        }

        string Field(string name) => startup is { } s && s.TryGetProperty(name, out var v) ? v.ToString() : "?";
        int threads = startup is { } st && st.TryGetProperty("threads", out var t) ? t.GetInt32() : 0;
        string? cliNote = setup.CliDll is null ? "colorizer.dll was not found next to this build: our CLI was not run." : null;
        return new ReferenceResult(null, python.Value.Path, Field("python"), Field("opencv"), Field("numpy"), threads, photos, cliNote, total.Elapsed);
    }

    /// <summary>The first interpreter that imports cv2 and numpy: the given one, /usr/bin/python3 (Debian's packages), python3 on PATH.</summary>
    private static (string Path, string Versions)? FindPython(string? overridePath)
    {
        string[] candidates = overridePath is not null ? [overridePath] : ["/usr/bin/python3", "python3"];
        foreach (string candidate in candidates)
        {
            try
            {
                var start = new ProcessStartInfo(candidate) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string argument in new[] { "-c", "import cv2, numpy; print(cv2.__version__, numpy.__version__)" })
                    start.ArgumentList.Add(argument);
                using var process = Process.Start(start);
                if (process is null)
                    continue;
                string output = process.StandardOutput.ReadToEnd();
                process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode == 0)
                    return (candidate, output.Trim());
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name: try the next.
            }
        }
        return null;
    }

    private static (double Mean, double Max) Compare(string first, string second)
    {
        if (!File.Exists(first) || !File.Exists(second))
            return (double.NaN, double.NaN);
        using var a = Cv2.ImRead(first, ImreadModes.Color);
        using var b = Cv2.ImRead(second, ImreadModes.Color);
        if (a.Empty() || b.Empty() || a.Size() != b.Size())
            return (double.NaN, double.NaN);
        using var difference = new Mat();
        Cv2.Absdiff(a, b, difference);
        var mean = Cv2.Mean(difference);
        using var flat = difference.Reshape(1);
        Cv2.MinMaxLoc(flat, out _, out double max);
        return ((mean.Val0 + mean.Val1 + mean.Val2) / 3, max);
    }

    [GeneratedRegex(@"\((\d+(?:\.\d+)?) s\)")]
    private static partial Regex ItemTime();
}
