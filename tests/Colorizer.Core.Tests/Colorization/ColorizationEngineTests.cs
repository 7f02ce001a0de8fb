using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Colorization;

public sealed class ColorizationEngineTests
{
    private static readonly int OrangeBin = SyntheticModels.BinAt(20, 30);
    private static readonly int BlueBin = SyntheticModels.BinAt(0, -40);

    private static async Task<ColorizedImage> ColorizeAsync(ColorizationEngine engine, Mat image, ColorizationOptions? options = null)
    {
        byte[] png = TestImages.Encode(image, ".png");
        return await engine.ColorizeAsync(png, options);
    }

    public static TheoryData<InferenceBackend, int, int> RecipeSizes => Backends.Cross((333, 217), (1500, 1000), (100, 60));

    public static TheoryData<InferenceBackend, int> RenderSizes => Backends.Cross(128, 224, 320, 512, 1024);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ConstantBinModel_ColorsEveryPixelWithThatBinsCentre(InferenceBackend backend)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin), backend);
        using var input = TestImages.Flat(40, 30, 140);
        using var result = await ColorizeAsync(tiny.Engine, input);
        using var rendered = result.Render();
        using var lab = TestImages.ToLab(rendered);

        var mean = Cv2.Mean(lab);
        Assert.Equal(20, mean.Val1, 1.0);
        Assert.Equal(30, mean.Val2, 1.0);
        Cv2.MinMaxLoc(lab.ExtractChannel(1), out double minA, out double maxA);
        Assert.InRange(maxA - minA, 0, 1.5);
    }

    [Fact]
    public async Task Result_KeepsTheInputsLuminance()
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        // Mid-tones, where the predicted colour is inside the sRGB gamut: there the recipe's final clip leaves L alone.
        using var input = TestImages.Gradient(96, 64, 60, 190);
        using var result = await ColorizeAsync(tiny.Engine, input);
        using var rendered = result.Render();
        using var labIn = TestImages.ToLab(input);
        using var labOut = TestImages.ToLab(rendered);
        using var lIn = labIn.ExtractChannel(0);
        using var lOut = labOut.ExtractChannel(0);
        using var difference = new Mat();
        Cv2.Absdiff(lIn, lOut, difference);
        Cv2.MinMaxLoc(difference, out _, out double worst);
        // 8-bit output rounding moves L by well under one unit (of 100); a lost or rescaled L would move it by far more.
        Assert.InRange(worst, 0, 0.8);
        Assert.Equal(input.Size(), rendered.Size());
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task LowerTemperature_GivesMoreVividColor_WithoutRunningTheNetworkAgain(InferenceBackend backend)
    {
        // A soft distribution: orange most likely, blue next, every other bin possible.
        using var tiny = new TinyEngine(TinyModel.ConstantLogits((OrangeBin, 4f), (BlueBin, 3f)), backend);
        using var input = TestImages.Flat(32, 32, 150);
        using var result = await ColorizeAsync(tiny.Engine, input);
        long passes = tiny.Engine.ForwardPassCount;

        (double DistanceToMode, double Chroma) Measure(double temperature)
        {
            using var rendered = result.Render(temperature, 1.0);
            using var lab = TestImages.ToLab(rendered);
            var mean = Cv2.Mean(lab);
            return (Math.Sqrt(Math.Pow(mean.Val1 - 20, 2) + Math.Pow(mean.Val2 - 30, 2)), Math.Sqrt(mean.Val1 * mean.Val1 + mean.Val2 * mean.Val2));
        }

        var vivid = Measure(0.1);
        var release = Measure(0.38);
        var flat = Measure(1.0);
        // Lower temperature moves the annealed mean towards the most likely colour, and makes it more saturated.
        Assert.True(vivid.DistanceToMode + 1 < release.DistanceToMode, $"T=0.1 is {vivid.DistanceToMode:0.0} from the mode, T=0.38 {release.DistanceToMode:0.0}");
        Assert.True(release.DistanceToMode + 1 < flat.DistanceToMode, $"T=0.38 is {release.DistanceToMode:0.0} from the mode, T=1 {flat.DistanceToMode:0.0}");
        Assert.True(vivid.Chroma > flat.Chroma + 5, $"chroma at T=0.1 is {vivid.Chroma:0.0}, at T=1 {flat.Chroma:0.0}");
        Assert.Equal(passes, tiny.Engine.ForwardPassCount);
    }

    [Fact]
    public async Task Saturation_ScalesTheChroma_AndZeroGivesGrey()
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        using var input = TestImages.Flat(24, 24, 140);
        using var result = await ColorizeAsync(tiny.Engine, input);

        (double A, double B) MeanAb(double saturation)
        {
            using var rendered = result.Render(ColorizationOptions.DefaultTemperature, saturation);
            using var lab = TestImages.ToLab(rendered);
            var mean = Cv2.Mean(lab);
            return (mean.Val1, mean.Val2);
        }

        var none = MeanAb(0);
        var half = MeanAb(0.5);
        var full = MeanAb(1.0);
        Assert.InRange(Math.Abs(none.A) + Math.Abs(none.B), 0, 1.0);
        Assert.Equal(10, half.A, 1.0);
        Assert.Equal(15, half.B, 1.0);
        Assert.Equal(20, full.A, 1.0);
        Assert.Equal(30, full.B, 1.0);
    }

    [Theory]
    [MemberData(nameof(RecipeSizes))]
    public async Task DefaultOptions_MatchTheReferenceOpenCvRecipe(InferenceBackend backend, int width, int height)
    {
        using var tiny = new TinyEngine(TinyModel.LightnessDependent(OrangeBin, BlueBin, slope: 0.08f), backend);
        using var input = TestImages.Grey(width, height);
        using var result = await ColorizeAsync(tiny.Engine, input);
        using var ours = result.Render();
        using var reference = ReferenceRecipe.Colorize(tiny.Folder.Directory, input);

        double psnr = TestImages.Psnr(reference, ours);
        Assert.True(psnr >= 40, $"PSNR against the reference recipe is {psnr:0.0} dB");
        // The picture must really be coloured for the comparison to mean anything.
        using var lab = TestImages.ToLab(ours);
        Cv2.MinMaxLoc(lab.ExtractChannel(2), out double minB, out double maxB);
        Assert.True(maxB - minB > 20, $"b* spans only {minB:0.0}..{maxB:0.0}");
    }

    [Theory]
    [InlineData(".png")]
    [InlineData(".jpg")]
    [InlineData(".webp")]
    [InlineData(".bmp")]
    [InlineData(".tiff")]
    public async Task EveryInputFormat_IsColorizedAtItsFullSize(string extension)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        using var input = TestImages.Grey(75, 41);
        byte[] encoded = TestImages.Encode(input, extension);
        using var result = await tiny.Engine.ColorizeAsync(encoded);
        Assert.Equal(75, result.Width);
        Assert.Equal(41, result.Height);
        Assert.False(result.InputHadColor);
        using var rendered = result.Render();
        Assert.Equal(3, rendered.Channels());
        using var lab = TestImages.ToLab(rendered);
        Assert.InRange(Cv2.Mean(lab).Val2, 15, 35);
    }

    [Theory]
    [InlineData(OutputFormat.Png)]
    [InlineData(OutputFormat.Jpeg)]
    [InlineData(OutputFormat.WebP)]
    public async Task EveryOutputFormat_DecodesBackToTheSameSizeInColor(OutputFormat format)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        using var input = TestImages.Grey(64, 48);
        using var result = await ColorizeAsync(tiny.Engine, input);
        byte[] bytes = result.Encode(format);
        Assert.Equal(format, ImageFormatDetector.Detect(bytes) switch
        {
            ImageFormat.Png => OutputFormat.Png,
            ImageFormat.Jpeg => OutputFormat.Jpeg,
            ImageFormat.WebP => OutputFormat.WebP,
            var other => throw new Xunit.Sdk.XunitException($"unexpected {other}"),
        });
        using var decoded = Cv2.ImDecode(bytes, ImreadModes.Color);
        Assert.Equal(new Size(64, 48), decoded.Size());
        using var lab = TestImages.ToLab(decoded);
        Assert.InRange(Cv2.Mean(lab).Val2, 20, 40);
    }

    [Fact]
    public async Task AlphaChannel_IsKeptExactly()
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        using var grey = TestImages.Grey(50, 30);
        using var bgra = new Mat();
        Cv2.CvtColor(grey, bgra, ColorConversionCodes.GRAY2BGRA);
        using var alpha = new Mat(30, 50, MatType.CV_8UC1);
        for (int y = 0; y < 30; y++)
        {
            for (int x = 0; x < 50; x++)
                alpha.Set(y, x, (byte)(x * 5));
        }
        Cv2.InsertChannel(alpha, bgra, 3);

        using var result = await ColorizeAsync(tiny.Engine, bgra);
        byte[] png = result.Encode(OutputFormat.Png);
        using var decoded = Cv2.ImDecode(png, ImreadModes.Unchanged);
        Assert.Equal(4, decoded.Channels());
        using var alphaOut = decoded.ExtractChannel(3);
        Assert.Equal(0, Cv2.Norm(alpha, alphaOut, NormTypes.INF));
    }

    [Fact]
    public async Task SixteenBitInput_GivesASixteenBitPngWithItsLuminance()
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        using var grey8 = TestImages.Gradient(60, 40, 60, 190);
        using var grey16 = new Mat();
        grey8.ConvertTo(grey16, MatType.CV_16UC1, 257);
        grey16.Set(0, 0, (ushort)30001); // a level no 8-bit image has

        using var result = await ColorizeAsync(tiny.Engine, grey16);
        Assert.True(result.Source.IsHighBitDepth);
        byte[] png = result.Encode(OutputFormat.Png);
        using var decoded = Cv2.ImDecode(png, ImreadModes.Unchanged);
        Assert.Equal(MatType.CV_16UC3, decoded.Type());
        // Real 16-bit levels, not 8-bit ones scaled up.
        using var green = decoded.ExtractChannel(1);
        int notMultiplesOf257 = 0;
        int rows = green.Rows, columns = green.Cols;
        for (int y = 0; y < rows; y++)
        {
            for (int x = 0; x < columns; x++)
                notMultiplesOf257 += green.At<ushort>(y, x) % 257 != 0 ? 1 : 0;
        }
        Assert.True(notMultiplesOf257 > green.Total() / 2, $"only {notMultiplesOf257} of {green.Total()} levels are finer than 8 bits");
        using var labIn = TestImages.ToLab(grey16);
        using var labOut = TestImages.ToLab(decoded);
        Assert.Equal(labIn.At<Vec3f>(20, 30).Item0, labOut.At<Vec3f>(20, 30).Item0, 0.3);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4000, 3)]
    [InlineData(3, 2500)]
    public async Task ExtremeShapes_AreColorizedAtTheirSize(int width, int height)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        using var input = TestImages.Flat(width, height, 140);
        using var result = await ColorizeAsync(tiny.Engine, input);
        using var rendered = result.Render();
        Assert.Equal(new Size(width, height), rendered.Size());
        using var lab = TestImages.ToLab(rendered);
        Assert.Equal(30, Cv2.Mean(lab).Val2, 1.5);
    }

    [Fact]
    public async Task ColorInput_IsReportedAsAlreadyInColor()
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        using var colorful = TestImages.Colorful(64, 64);
        using var result = await ColorizeAsync(tiny.Engine, colorful);
        Assert.True(result.InputHadColor);

        using var grey = TestImages.Grey(64, 64);
        using var greyBgr = new Mat();
        Cv2.CvtColor(grey, greyBgr, ColorConversionCodes.GRAY2BGR);
        using var greyResult = await tiny.Engine.ColorizeAsync(TestImages.Encode(greyBgr, ".jpg"));
        Assert.False(greyResult.InputHadColor);
    }

    [Theory]
    [MemberData(nameof(RenderSizes))]
    public async Task RenderSize_SetsTheGridOfThePrediction_AndEveryCellHoldsTheModelsLogits(InferenceBackend backend, int renderSize)
    {
        var model = TinyModel.LightnessDependent(OrangeBin, BlueBin, slope: 0.5f);
        using var tiny = new TinyEngine(model, backend);
        // L − 50 that changes along x and y at different rates, so each cell's mean is its own and a transposed or
        // shifted grid shows.
        static float LMinus50(int x, int y) => ((x * 7 + y * 3) % 41) - 20f;
        var values = new float[renderSize * renderSize];
        for (int y = 0; y < renderSize; y++)
        {
            for (int x = 0; x < renderSize; x++)
                values[y * renderSize + x] = LMinus50(x, y);
        }
        using var input = new Mat(renderSize, renderSize, MatType.CV_32FC1);
        System.Runtime.InteropServices.Marshal.Copy(values, 0, input.Data, values.Length);

        var prediction = await tiny.Engine.PredictInputAsync(input, CancellationToken.None);

        int cells = renderSize / 4;
        Assert.Equal(cells, prediction.Rows);
        Assert.Equal(cells, prediction.Columns);
        Assert.Equal(renderSize, prediction.RenderSize);
        var orange = prediction.Logits(OrangeBin);
        var blue = prediction.Logits(BlueBin);
        var other = prediction.Logits(0);
        (float Error, int Row, int Column, string Bin) worst = (0, 0, 0, "");
        for (int row = 0; row < cells; row++)
        {
            for (int column = 0; column < cells; column++)
            {
                float mean = 0;
                for (int dy = 0; dy < 4; dy++)
                {
                    for (int dx = 0; dx < 4; dx++)
                        mean += LMinus50(4 * column + dx, 4 * row + dy) / 16f;
                }
                int cell = row * cells + column;
                foreach (var (error, bin) in new[]
                {
                    (Math.Abs(orange[cell] - 0.5f * mean), "orange"),
                    (Math.Abs(blue[cell] + 0.5f * mean), "blue"),
                    (Math.Abs(other[cell]), "bin 0"),
                })
                {
                    if (!float.IsNaN(worst.Error) && !(error <= worst.Error))
                        worst = (error, row, column, bin);
                }
            }
        }
        Assert.True(worst.Error <= 1e-3f, $"the {worst.Bin} logit of cell ({worst.Row}, {worst.Column}) is {worst.Error} off the model's");
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task RenderSize_OfAColorization_SetsTheGridOfItsPrediction(InferenceBackend backend)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin), backend);
        using var input = TestImages.Grey(80, 80);
        using var result = await ColorizeAsync(tiny.Engine, input, new ColorizationOptions { RenderSize = 320 });
        Assert.Equal(80, result.Prediction.Rows);
        Assert.Equal(80, result.Prediction.Columns);
    }

    [Fact]
    public async Task Preview_IsSmallAndMatchesTheFullResult()
    {
        using var tiny = new TinyEngine(TinyModel.LightnessDependent(OrangeBin, BlueBin, slope: 0.08f));
        using var input = TestImages.Grey(800, 400);
        using var result = await ColorizeAsync(tiny.Engine, input);
        using var preview = result.RenderPreview(200, 0.38, 1.0);
        Assert.Equal(new Size(200, 100), preview.Size());
        using var full = result.Render();
        using var shrunk = new Mat();
        Cv2.Resize(full, shrunk, preview.Size(), 0, 0, InterpolationFlags.Area);
        Assert.True(TestImages.Psnr(shrunk, preview) > 30);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ConcurrentCalls_GiveTheSameResultsAsOneAtATime(InferenceBackend backend)
    {
        using var tiny = new TinyEngine(TinyModel.LightnessDependent(OrangeBin, BlueBin, slope: 0.08f), backend);
        var inputs = Enumerable.Range(0, 6).Select(i => TestImages.Encode(TestImages.Grey(90 + 10 * i, 70), ".png")).ToArray();
        var sequential = new List<byte[]>();
        foreach (var bytes in inputs)
        {
            using var result = await tiny.Engine.ColorizeAsync(bytes);
            sequential.Add(PixelsOf(result));
        }
        var parallel = await Task.WhenAll(inputs.Select(async bytes =>
        {
            using var result = await tiny.Engine.ColorizeAsync(bytes);
            return PixelsOf(result);
        }));
        for (int i = 0; i < inputs.Length; i++)
            Assert.Equal(sequential[i], parallel[i]);
    }

    // The pixels alone: a result's file also says when it was made, which differs from one call to the next.
    private static byte[] PixelsOf(ColorizedImage result)
    {
        using var rendered = result.Render();
        return ImageEncoder.Encode(rendered, OutputFormat.Png);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task CancelledCall_StopsWithOperationCanceled(InferenceBackend backend)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin), backend);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        byte[] png = TestImages.Encode(TestImages.Grey(30, 30), ".png");
        long passes = tiny.Engine.ForwardPassCount;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => tiny.Engine.ColorizeAsync(png, ct: cancelled.Token));
        Assert.Equal(passes, tiny.Engine.ForwardPassCount);
    }

    [Theory]
    [InlineData(0.0, 1.0, 224, "Temperature")]
    [InlineData(1.01, 1.0, 224, "Temperature")]
    [InlineData(double.NaN, 1.0, 224, "Temperature")]
    [InlineData(0.38, -0.1, 224, "Saturation")]
    [InlineData(0.38, 2.01, 224, "Saturation")]
    [InlineData(0.38, 1.0, 120, "RenderSize")]
    [InlineData(0.38, 1.0, 230, "RenderSize")]
    [InlineData(0.38, 1.0, 1032, "RenderSize")]
    public async Task OutOfRangeOptions_AreRefusedByName(double temperature, double saturation, int renderSize, string option)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin));
        var options = new ColorizationOptions { Temperature = temperature, Saturation = saturation, RenderSize = renderSize };
        byte[] png = TestImages.Encode(TestImages.Grey(30, 30), ".png");
        var error = await Assert.ThrowsAsync<InvalidColorizationOptionException>(() => tiny.Engine.ColorizeAsync(png, options));
        Assert.Equal(option, error.OptionName);
        Assert.Contains(option, error.Message);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void WarmUp_RunsOnePass(InferenceBackend backend)
    {
        using var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin), backend);
        Assert.Equal(backend, tiny.Engine.Backend);
        Assert.False(tiny.Engine.IsWarm);
        tiny.Engine.WarmUp();
        Assert.True(tiny.Engine.IsWarm);
        Assert.Equal(1, tiny.Engine.ForwardPassCount);
    }

    [Fact]
    public async Task OnOnnxRuntime_AnExpensiveAndAnOrdinaryPass_RunTogether_AndTwoDisposalsAtOnceBothReturn()
    {
        var tiny = new TinyEngine(TinyModel.ConstantBin(OrangeBin), InferenceBackend.Onnx);
        using var large = new Mat(448, 448, MatType.CV_32FC1, Scalar.All(0));
        using var small = new Mat(224, 224, MatType.CV_32FC1, Scalar.All(0));

        // 448² is four default areas: the expensive pass goes to the engine's lowered thread, the other beside it.
        var predictions = await Task.WhenAll(tiny.Engine.PredictInputAsync(large, CancellationToken.None), tiny.Engine.PredictInputAsync(small, CancellationToken.None));

        Assert.Equal((112, 448), (predictions[0].Rows, predictions[0].RenderSize));
        Assert.Equal((56, 224), (predictions[1].Rows, predictions[1].RenderSize));
        Assert.True(predictions.All(p => p.Logits(OrangeBin)[0] > p.Logits(0)[0]), "each pass gave the model's answer");
        var disposals = Task.WhenAll(Task.Run(tiny.Engine.Dispose), Task.Run(tiny.Engine.Dispose));
        Assert.Same(disposals, await Task.WhenAny(disposals, Task.Delay(TimeSpan.FromSeconds(10))));
        tiny.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => tiny.Engine.PredictInputAsync(small, CancellationToken.None));
    }
}
