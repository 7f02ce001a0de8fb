using System.Diagnostics;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Xunit.Abstractions;

namespace Colorizer.Core.Tests.Colorization;

/// <summary>
/// The same model and the same photo through every backend: the logits agree to within 1e-2 and the composed 8-bit
/// results to at least 50 dB PSNR. Once on a tiny model with varied affine logits, once on the release architecture
/// with seeded random weights (one render size: a full-size forward pass is about 0.5 s at 224).
/// </summary>
public sealed class BackendEquivalenceTests(ITestOutputHelper output) : IDisposable
{
    private const float MaxLogitDifference = 1e-2f;
    private const double MinPsnr = 50;

    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task TinyModel_GivesTheSameLogitsAndResult_OnEveryBackend()
    {
        // Every bin's logit its own affine function of the lightness: a soft, varying distribution in every cell.
        var random = new Random(13);
        var bias = Enumerable.Range(0, NetworkDescription.BinCount).Select(_ => random.NextSingle() * 4 - 2).ToArray();
        var slope = Enumerable.Range(0, NetworkDescription.BinCount).Select(_ => random.NextSingle() * 0.2f - 0.1f).ToArray();
        var folder = SyntheticModels.WriteTiny(_directory.File("tiny"), TinyModel.Affine(bias, slope));

        await AssertEquivalentAsync(folder, width: 333, height: 217);
    }

    [Fact]
    public async Task FullSizeModel_GivesTheSameLogitsAndResult_OnEveryBackend()
    {
        var watch = Stopwatch.StartNew();
        var folder = SyntheticModels.WriteFullSize(_directory.File("full"), seed: 2016);
        output.WriteLine($"wrote the full-size model in {watch.ElapsedMilliseconds} ms");

        await AssertEquivalentAsync(folder, width: 400, height: 300);
    }

    private async Task AssertEquivalentAsync(SyntheticModelFolder folder, int width, int height)
    {
        using var grey = TestImages.Grey(width, height);
        byte[] png = TestImages.Encode(grey, ".png");
        var reference = await ColorizeAsync(folder, InferenceBackend.OpenCv, png);
        try
        {
            foreach (var backend in Enum.GetValues<InferenceBackend>().Where(b => b != InferenceBackend.OpenCv))
            {
                var other = await ColorizeAsync(folder, backend, png);
                try
                {
                    var (difference, bin, cell) = LargestDifference(reference.Result.Prediction, other.Result.Prediction);
                    double psnr = TestImages.Psnr(reference.Rendered, other.Rendered);
                    output.WriteLine($"{backend} against OpenCV: largest logit difference {difference:G3} (bin {bin}, cell {cell}), " +
                                     $"composed result {psnr:0.0} dB PSNR");
                    Assert.True(difference <= MaxLogitDifference,
                        $"{other.Runtime}'s logit of bin {bin} in cell {cell} is {difference:G3} from {reference.Runtime}'s (at most {MaxLogitDifference})");
                    Assert.True(psnr >= MinPsnr, $"{other.Runtime}'s result is {psnr:0.0} dB PSNR from {reference.Runtime}'s (at least {MinPsnr} dB)");
                }
                finally
                {
                    other.Dispose();
                }
            }
        }
        finally
        {
            reference.Dispose();
        }
    }

    private async Task<Run> ColorizeAsync(SyntheticModelFolder folder, InferenceBackend backend, byte[] png)
    {
        var watch = Stopwatch.StartNew();
        using var engine = ColorizationEngine.Load(folder.Directory, backend: backend);
        long loadMs = watch.ElapsedMilliseconds;
        watch.Restart();
        var result = await engine.ColorizeAsync(png);
        output.WriteLine($"{engine.Runtime}: loaded in {loadMs} ms, colorized in {watch.ElapsedMilliseconds} ms");
        // The range tells what "1e-2" is measured against.
        float min = float.MaxValue, max = float.MinValue;
        for (int bin = 0; bin < NetworkDescription.BinCount; bin++)
        {
            foreach (float logit in result.Prediction.Logits(bin))
            {
                min = Math.Min(min, logit);
                max = Math.Max(max, logit);
            }
        }
        output.WriteLine($"{engine.Runtime}: logits {min:G4} .. {max:G4}");
        return new Run(engine.Runtime, result, result.Render());
    }

    private static (float Difference, int Bin, int Cell) LargestDifference(ChromaPrediction expected, ChromaPrediction actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Columns, actual.Columns);
        Assert.Equal(expected.RenderSize, actual.RenderSize);
        (float Difference, int Bin, int Cell) largest = (0, 0, 0);
        for (int bin = 0; bin < NetworkDescription.BinCount; bin++)
        {
            var a = expected.Logits(bin);
            var b = actual.Logits(bin);
            for (int cell = 0; cell < a.Length; cell++)
            {
                float difference = Math.Abs(a[cell] - b[cell]);
                // NaN counts as the largest difference, and stays it.
                if (!float.IsNaN(largest.Difference) && !(difference <= largest.Difference))
                    largest = (difference, bin, cell);
            }
        }
        return largest;
    }

    private sealed record Run(string Runtime, ColorizedImage Result, OpenCvSharp.Mat Rendered) : IDisposable
    {
        public void Dispose()
        {
            Rendered.Dispose();
            Result.Dispose();
        }
    }
}
