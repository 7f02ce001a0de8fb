using System.Diagnostics;
using System.Globalization;
using System.Text;
using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Bench;

/// <summary>One photo's colour-guidance timings, in milliseconds.</summary>
internal sealed record GuidanceResult(string Label, int Width, int Height, double FirstHint, List<double> HintEdits, List<double> SliderWithHints,
    List<double> ReferenceBands, double FullPlain, double FullWithHints, string LoadAverage);

/// <summary>
/// The guide's costs as the page pays them: a hint edit is a display-size preview (longer side 1280) with the hints
/// spread again, plus the JPEG the page sends; a slider move with hints reuses the spread; the download renders at
/// full resolution with the hints. In this process, on the engine the other parts use.
/// </summary>
internal static class GuidanceBench
{
    private const int PreviewSide = 1280;

    public static async Task<List<GuidanceResult>> RunAsync(string modelsDirectory, IReadOnlyList<(string Label, string Path)> photos, bool quick)
    {
        using var engine = ColorizationEngine.Load(modelsDirectory, backend: BenchBackend.Backend);
        engine.WarmUp();
        ColorizationEngine.PrimeCodePaths();
        int samples = quick ? 3 : 7;
        var results = new List<GuidanceResult>();
        foreach (var (label, path) in photos)
        {
            string load = Load.Average();
            using var result = await engine.ColorizeAsync(await File.ReadAllBytesAsync(path));
            int w = result.Width, h = result.Height;
            double radius = 0.02 * Math.Max(w, h);
            var hints = new List<ColorHint> { new(w * 0.3, h * 0.4, radius, LabColor.FromHex("#c0392b")) };

            // The page shows a plain preview first (the result as colorized); the first hint comes after it.
            Preview(result, 0.38, ColorGuidance.None);
            double first = Time(() => Preview(result, 0.38, new ColorGuidance { Hints = hints }));
            var edits = new List<double>();
            for (int i = 0; i < samples; i++)
            {
                // Each edit is a new hint list (a hint added), so the spread is computed again.
                hints = [.. hints, new ColorHint(w * (0.1 + 0.8 * i / samples), h * 0.7, radius, LabColor.FromHex("#2e86c1"))];
                var guidance = new ColorGuidance { Hints = hints };
                edits.Add(Time(() => Preview(result, 0.38, guidance)));
            }
            var sameHints = new ColorGuidance { Hints = hints };
            var slider = Enumerable.Range(0, samples).Select(i => Time(() => Preview(result, 0.2 + 0.05 * i, sameHints))).ToList();

            using var referencePhoto = new Mat(600, 800, MatType.CV_8UC3, new Scalar(150, 140, 40));
            using var referenceImage = DecodedImage.FromMat(referencePhoto.Clone());
            var palette = ReferencePalette.FromImage(referenceImage);
            var withReference = new ColorGuidance { Reference = palette, TransferMode = ReferenceTransferMode.LuminanceBands };
            var reference = Enumerable.Range(0, samples).Select(_ => Time(() => Preview(result, 0.38, withReference))).ToList();

            double plain = Time(() => Full(result, ColorGuidance.None));
            double guided = Time(() => Full(result, sameHints));
            Console.Error.WriteLine($"  guidance {label}: first hint {first:0} ms, edit {Stats.Median(edits):0} ms, slider {Stats.Median(slider):0} ms, full {plain:0} → {guided:0} ms");
            results.Add(new GuidanceResult(label, w, h, first, edits, slider, reference, plain, guided, load));
        }
        return results;
    }

    // What the page does per update: render the preview and encode it as the JPEG it sends.
    private static void Preview(ColorizedImage result, double temperature, ColorGuidance guidance)
    {
        using var preview = result.RenderPreview(PreviewSide, temperature, 1.0, guidance);
        ImageEncoder.Encode(preview, OutputFormat.Jpeg, new EncoderOptions { JpegQuality = 88 });
    }

    private static void Full(ColorizedImage result, ColorGuidance guidance)
    {
        using var full = result.Render(0.38, 1.0, guidance);
        GC.KeepAlive(full);
    }

    private static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalMilliseconds;
    }

    public static string Markdown(IReadOnlyList<GuidanceResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("## Colour guidance (hints and reference photo)");
        text.AppendLine();
        text.AppendLine("What the page pays when the user guides the colours (issue: each update within about half a second). In the bench process, " +
            "on the benchmark's photos and the synthetic model; no forward pass is involved. *First hint*: the first preview with a hint on a photo " +
            "(it also builds the 1024-pixel working grid of the photo's lightness). *Hint edit*: a preview after adding one more hint (the hints are " +
            $"spread again with the fast global smoother), median of {(results.Count > 0 ? results[0].HintEdits.Count : 0)}. *Slider with hints*: vividness moved " +
            "with hints in place (the spread is reused). *Reference*: a preview with a reference palette, by brightness. Every preview is the " +
            $"display-size render (longer side {PreviewSide}) plus its JPEG, as the page sends it. *Full resolution*: `Render()` without and with the hints " +
            "(the download then encodes it).");
        text.AppendLine();
        text.AppendLine("| photo | first hint | hint edit | slider with hints | reference | full resolution: plain → with hints | load avg |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Label} ({r.Width}×{r.Height}) | {r.FirstHint:0} ms | {Stats.Median(r.HintEdits):0} ms ({Stats.Min(r.HintEdits):0}–{Stats.Max(r.HintEdits):0}) | " +
                $"{Stats.Median(r.SliderWithHints):0} ms | {Stats.Median(r.ReferenceBands):0} ms | {r.FullPlain:0} → {r.FullWithHints:0} ms | {r.LoadAverage} |");
        }
        text.AppendLine();
        text.AppendLine("Kept: the working grid (longer side 1024) and the reuse of the spread while only the temperature or saturation moves. " +
            "The method and the choice of solver are in [hints.md](hints.md).");
        return text.ToString();
    }
}
