using System.Diagnostics;
using System.Globalization;
using System.Text;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Models.Onnx;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>One type and input size: the medians, in milliseconds, of what Colorizer does around a DDColor or DeOldify model.</summary>
internal sealed record ModelsResult(string Photo, ColorModelType Type, int Size, double Lightness, double Input, double Output, double Compose, string LoadAverage);

/// <summary>
/// What is ours around the DDColor and DeOldify models, per type and input size: the lightness input (as for the 2016
/// network), the type's input tensor, reading an output of the type's shape back as an (a, b) grid, and joining that
/// grid with the photo's full-resolution lightness. The models themselves are not run: the real files cannot be
/// downloaded here, and a stand-in would measure nothing of theirs.
/// </summary>
internal static class ModelsBench
{
    public static async Task<List<ModelsResult>> RunAsync(IReadOnlyList<(string Label, string Path)> photos, bool quick)
    {
        int samples = quick ? 3 : 7;
        var results = new List<ModelsResult>();
        var random = new Random(14);
        foreach (var (label, path) in photos)
        {
            using var image = ImageDecoder.Decode(await File.ReadAllBytesAsync(path));
            foreach (var type in new[] { ColorModelType.DDColor, ColorModelType.DeOldify })
            {
                foreach (int size in ModelCatalogue.OnnxInputSizes)
                {
                    string load = Load.Average();
                    int plane = size * size;
                    // An output of the type's shape and range: a and b in ±100, or RGB in 0–255.
                    var output = new float[(type == ColorModelType.DDColor ? 2 : 3) * plane];
                    for (int i = 0; i < output.Length; i++)
                        output[i] = type == ColorModelType.DDColor ? random.NextSingle() * 200 - 100 : random.NextSingle() * 255;
                    Mat? lightness = null;
                    var lightnessTimes = Sample(samples, () =>
                    {
                        lightness?.Dispose();
                        lightness = LabPipeline.NetworkInput(image, size);
                    });
                    using (lightness)
                    {
                        var inputTimes = Sample(samples, () => GC.KeepAlive(OnnxChromaContract.Input(lightness!, size, type)));
                        float[] ab = [];
                        var outputTimes = Sample(samples, () => ab = OnnxChromaContract.Ab(output, size, type));
                        var prediction = ChromaPrediction.FromAb(ab, size, size);
                        var composeTimes = Sample(samples, () =>
                        {
                            using var grid = prediction.DecodeAb(BinCentres.Release, ColorizationOptions.DefaultTemperature, 1.0);
                            using var composed = LabPipeline.Compose(image, grid);
                        });
                        results.Add(new ModelsResult(label, type, size, Stats.Median(lightnessTimes), Stats.Median(inputTimes),
                            Stats.Median(outputTimes), Stats.Median(composeTimes), load));
                        Console.Error.WriteLine($"  models {label} {type} {size}: input {Stats.Median(lightnessTimes) + Stats.Median(inputTimes):0.0} ms, " +
                            $"output {Stats.Median(outputTimes):0.0} ms, compose {Stats.Median(composeTimes):0} ms");
                    }
                }
            }
        }
        return results;
    }

    private static List<double> Sample(int count, Action action)
    {
        action(); // the first call pays for JIT compilation
        var times = new List<double>(count);
        for (int i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    public static string Markdown(IReadOnlyList<ModelsResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("## DDColor and DeOldify: around the model");
        text.AppendLine();
        text.AppendLine("What Colorizer does around a DDColor or DeOldify model, per type and input size, in the bench process on the benchmark's " +
            "photos; medians. **The models themselves are not run** (their files cannot be downloaded here, and a stand-in would say nothing " +
            "of their speed): add each real model's own time, not measured here, see [models.md](models.md#ddcolor-and-deoldify). " +
            "*Lightness*: the photo's L at S×S (only the rows the resize reads are converted; the same input as the 2016 network's). " +
            "*Input*: that lightness turned into the type's tensor (the RGB of (L, 0, 0), channels first; ×255 for DeOldify). " +
            "*Output*: an output of the type's shape read back as the (a, b) grid (DeOldify's RGB through Lab). " +
            "*Compose*: the grid resized to the photo and joined with its full-resolution L, as every result and download does. " +
            "The machine is described under *Machine* above; the load average (last column) says how busy it was: on a shared 2-core machine " +
            "a load well above 2 makes these numbers rough (a large spread between neighbouring rows is that, not the size).");
        text.AppendLine();
        text.AppendLine("| photo | type | S | lightness | input | output | compose | load avg |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Photo} | {r.Type} | {r.Size} | {r.Lightness:0.0} ms | {r.Input:0.0} ms | {r.Output:0.0} ms | {r.Compose:0} ms | {r.LoadAverage} |");
        return text.ToString();
    }
}
