using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Colorizer.Core.Models;
using Colorizer.Testing;
using OpenCvSharp;
using OpenCvSharp.Dnn;
using Xunit.Abstractions;

namespace Colorizer.Core.Tests.Models;

/// <summary>
/// The synthetic model generator of Colorizer.Testing, checked by loading its output straight into OpenCV's DNN
/// module the way the engine will: the prototxt without its decoding tail, the weights matched by layer name.
/// </summary>
public sealed class SyntheticModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("colorizer-synthetic-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // ---- The tiny known-answer networks ----

    [Theory]
    [InlineData(128)]
    [InlineData(224)]
    [InlineData(320)]
    [InlineData(1000)]
    [InlineData(1024)]
    public void TinyConstantBinModel_PredictsThatBinInEveryCell_AtAQuarterOfTheInputSide(int side)
    {
        const int bin = 200;
        var folder = SyntheticModels.WriteTiny(Path.Combine(_root, "tiny"), TinyModel.ConstantBin(bin));

        var logits = Forward(folder, side, (x, y) => ((x * 7 + y * 13) % 101) - 50f);

        Assert.Equal([1, NetworkDescription.BinCount, side / 4, side / 4], logits.Shape);
        for (int y = 0; y < side / 4; y++)
        {
            for (int x = 0; x < side / 4; x++)
            {
                Assert.Equal(bin, logits.ArgMax(y, x));
                Assert.Equal(20f, logits[bin, y, x], 4);
                Assert.Equal(0f, logits[(bin + 1) % NetworkDescription.BinCount, y, x], 4);
            }
        }
    }

    [Fact]
    public void TinyConstantBinModel_DecodesToThatBinsCentre_AtTheReleaseTemperature()
    {
        const int bin = 57;
        var model = TinyModel.ConstantBin(bin);
        var folder = SyntheticModels.WriteTiny(Path.Combine(_root, "tiny"), model);

        var logits = Forward(folder, 224, (_, _) => 0f);

        var (a, b) = SyntheticModels.AnnealedMean(logits.Cell(10, 20), SyntheticModels.ReleaseTemperature);
        Assert.Equal(SyntheticModels.BinCentres[bin].A, a, 6);
        Assert.Equal(SyntheticModels.BinCentres[bin].B, b, 6);
        Assert.Equal((a, b), model.ExpectedAb(0f, SyntheticModels.ReleaseTemperature), new AbComparer(1e-6));
    }

    [Fact]
    public void SoftTinyModel_GivesAnAnnealedMeanThatMovesWithTheTemperature()
    {
        // Two favoured bins far apart in ab, with close logits: a colder softmax leans harder on the stronger one.
        const int strong = 20, weak = 300;
        var model = TinyModel.ConstantLogits((strong, 1.5f), (weak, 1.2f));
        var folder = SyntheticModels.WriteTiny(Path.Combine(_root, "soft"), model);

        var cell = Forward(folder, 224, (_, _) => 0f).Cell(0, 0);

        Assert.Equal(model.Logits(0f), cell, new FloatComparer(1e-5f));
        var cold = SyntheticModels.AnnealedMean(cell, 0.1);
        var release = SyntheticModels.AnnealedMean(cell, SyntheticModels.ReleaseTemperature);
        var warm = SyntheticModels.AnnealedMean(cell, 1.0);
        var strongCentre = SyntheticModels.BinCentres[strong];
        double Distance((double A, double B) p) => Math.Sqrt(Math.Pow(p.A - strongCentre.A, 2) + Math.Pow(p.B - strongCentre.B, 2));
        output.WriteLine($"cold {cold}, release {release}, warm {warm}, strong bin centre {strongCentre}");
        Assert.True(Distance(cold) < Distance(release) - 5, $"T=0.1 {cold} should be nearer bin {strong} than T=0.38 {release}");
        Assert.True(Distance(release) < Distance(warm) - 5, $"T=0.38 {release} should be nearer bin {strong} than T=1 {warm}");
    }

    [Fact]
    public void LightnessDependentTinyModel_PicksTheBrightBinForBrightAreasAndTheDarkBinForDarkOnes()
    {
        const int bright = 150, dark = 250, side = 224;
        var model = TinyModel.LightnessDependent(bright, dark);
        var folder = SyntheticModels.WriteTiny(Path.Combine(_root, "lightness"), model);

        // Top half L = 90, bottom half L = 10 (the network reads L − 50).
        var logits = Forward(folder, side, (_, y) => y < side / 2 ? 40f : -40f);

        for (int y = 0; y < side / 4; y++)
        {
            int expected = y < side / 8 ? bright : dark;
            for (int x = 0; x < side / 4; x += 5)
                Assert.Equal(expected, logits.ArgMax(y, x));
        }
        Assert.Equal(model.Logits(40f), logits.Cell(0, 0), new FloatComparer(1e-3f));
        Assert.Equal(model.Logits(-40f), logits.Cell(side / 4 - 1, 0), new FloatComparer(1e-3f));
        Assert.Equal(40f, logits[bright, 0, 0], 3);
        Assert.Equal(-40f, logits[dark, 0, 0], 3);
    }

    [Fact]
    public void TinyPrototxt_CarriesTheOfficialDecodingTail_WhichTheEngineDrops()
    {
        var folder = SyntheticModels.WriteTiny(Path.Combine(_root, "tiny"), TinyModel.ConstantBin(0));

        var full = NetworkDescription.Parse(File.ReadAllText(folder.PrototxtPath), folder.PrototxtPath);
        var trimmed = full.WithoutDecodingTail();

        Assert.Equal(["data_l", "conv8_313", "conv8_313_rh", "class8_313_rh", "class8_ab", "Silence"], full.Layers.Select(l => l.Name));
        Assert.Equal("2.606", full.Layers[2].Parameters.Message("scale_param")?.Message("filler")?.Scalar("value"));
        Assert.Equal(["data_l", "conv8_313"], trimmed.Layers.Select(l => l.Name));
        trimmed.EnsureColorizationNetwork();
        Assert.Equal([1, 1, 224, 224], trimmed.Layers[0].Parameters.Message("input_param")?.Message("shape")?.Ints("dim"));
    }

    [Fact]
    public void OpenCv_CannotRunTheOfficialTail_BecauseItsLayersHaveNoBlobs()
    {
        var folder = SyntheticModels.WriteTiny(Path.Combine(_root, "tiny"), TinyModel.ConstantBin(0));

        // This is why the engine drops the tail: class8_ab is a convolution whose weights the release lacks.
        var error = Record.Exception(() =>
        {
            using var net = CvDnn.ReadNetFromCaffe(folder.PrototxtPath, folder.WeightsPath)
                ?? throw new InvalidOperationException("ReadNetFromCaffe returned null");
            using var input = Input(224, (_, _) => 0f);
            using var blob = CvDnn.BlobFromImage(input);
            net.SetInput(blob, NetworkDescription.InputBlob);
            using var result = net.Forward("class8_ab");
        });

        output.WriteLine(error?.ToString() ?? "no error");
        Assert.IsType<OpenCVException>(error);
    }

    // ---- The full-size network ----

    [Fact]
    public void FullSizeModel_HasTheReleaseSize_LoadsAndGivesVaryingFiniteLogits()
    {
        var watch = Stopwatch.StartNew();
        var folder = SyntheticModels.WriteFullSize(Path.Combine(_root, "full"), seed: 1);
        output.WriteLine($"wrote the full-size model in {watch.ElapsedMilliseconds} ms");

        long size = new FileInfo(folder.WeightsPath).Length;
        output.WriteLine($"weights: {size:N0} bytes (release {SyntheticModels.ReleaseWeightsSize:N0})");
        Assert.InRange(size, SyntheticModels.ReleaseWeightsSize - 2048, SyntheticModels.ReleaseWeightsSize + 2048);
        Assert.Equal(NetworkDescription.Release.ToPrototxt(), File.ReadAllText(folder.PrototxtPath));
        Assert.True(File.Exists(folder.BinCentresPath));

        watch.Restart();
        var logits = Forward(folder, 224, (x, y) => 50f * MathF.Sin(x / 17f) * MathF.Cos(y / 23f));
        output.WriteLine($"loaded and ran at 224 in {watch.ElapsedMilliseconds} ms");

        Assert.Equal([1, NetworkDescription.BinCount, 56, 56], logits.Shape);
        Assert.All(logits.Values, v => Assert.True(float.IsFinite(v), $"non-finite logit {v}"));
        float min = logits.Values.Min(), max = logits.Values.Max();
        output.WriteLine($"logits range {min} .. {max}");
        Assert.True(max - min > 1e-3f, "the logits are all equal");
        // Spatial variation within one channel, not just across channels.
        var channel = Enumerable.Range(0, 56 * 56).Select(i => logits[0, i / 56, i % 56]).ToArray();
        Assert.True(channel.Max() - channel.Min() > 1e-3f, "channel 0 is constant over the image");
        Assert.True(Enumerable.Range(0, 56).Select(y => logits.ArgMax(y, y)).Distinct().Count() > 1, "every cell favours the same bin");
    }

    [Fact]
    public void FullSizeWeights_AreDeterministicPerSeed_AndDifferBetweenSeeds()
    {
        var watch = Stopwatch.StartNew();
        var first = HashWeights(seed: 7);
        output.WriteLine($"generated and hashed the full-size weights in {watch.ElapsedMilliseconds} ms");
        var again = HashWeights(seed: 7);
        var other = HashWeights(seed: 8);

        Assert.Equal(first.Hash, again.Hash);
        Assert.NotEqual(first.Hash, other.Hash);
        Assert.Equal(first.Length, other.Length);
        Assert.InRange(first.Length, SyntheticModels.ReleaseWeightsSize - 2048, SyntheticModels.ReleaseWeightsSize + 2048);
    }

    // ---- The file writers ----

    [Fact]
    public void CaffeModelWriter_EncodesLayersAsProtobuf()
    {
        string path = Path.Combine(_root, "one.caffemodel");
        long written;
        using (var writer = new CaffeModelWriter(path))
        {
            writer.WriteLayer("c", "T", new CaffeBlob([2], new[] { 1f, -2f }), new CaffeBlob([300, 1], new float[300]));
            written = writer.BytesWritten;
        }

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(bytes.Length, written);
        // blob 1: data (5) 8 bytes + shape (7) { dim (1) packed [2] } = 10 + 5 = 15 bytes
        // blob 2: data (5) 1200 bytes (length varint B0 09) + shape { dim [300, 1] (AC 02, 01) } = 1203 + 7 = 1210 (BA 09)
        // layer: name 3 + type 3 + blob 2 + 15 + blob 3 + 1210 = 1236 (D4 09)
        byte[] expectedStart =
        [
            0xA2, 0x06, 0xD4, 0x09,                     // NetParameter.layer (100), length 1236
            0x0A, 0x01, (byte)'c', 0x12, 0x01, (byte)'T', // name, type
            0x3A, 0x0F,                                 // blobs (7), length 15
            0x2A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, // data (5): 1f, -2f
            0x3A, 0x03, 0x0A, 0x01, 0x02,               // shape (7) { dim (1) packed: 2 }
            0x3A, 0xBA, 0x09,                           // blobs (7), length 1210
            0x2A, 0xB0, 0x09,                           // data (5), length 1200
        ];
        Assert.Equal(expectedStart, bytes[..expectedStart.Length]);
        Assert.Equal([0x3A, 0x05, 0x0A, 0x03, 0xAC, 0x02, 0x01], bytes[^7..]); // shape { dim [300, 1] }
        Assert.Equal(4 + 1236, bytes.Length);
    }

    [Fact]
    public void CaffeModelWriter_RecordsBottomsAndTops_AndLayersWithoutBlobs()
    {
        using var memory = new MemoryStream();
        using (var writer = new CaffeModelWriter(memory, leaveOpen: true))
            writer.WriteLayer("r", "ReLU", ["a"], ["a"]);

        byte[] expected =
        [
            0xA2, 0x06, 0x0F,                                              // layer (100), length 15
            0x0A, 0x01, (byte)'r',                                         // name
            0x12, 0x04, (byte)'R', (byte)'e', (byte)'L', (byte)'U',        // type
            0x1A, 0x01, (byte)'a',                                         // bottom (3)
            0x22, 0x01, (byte)'a',                                         // top (4)
        ];
        Assert.Equal(expected, memory.ToArray());
    }

    [Fact]
    public void CaffeBlob_RejectsDataThatDoesNotFitItsShape()
    {
        Assert.Throws<ArgumentException>(() => new CaffeBlob([2, 3], new float[5]));
        Assert.Throws<ArgumentException>(() => new CaffeBlob([], new float[0]));
    }

    [Theory]
    [InlineData(NpyWriter.DefaultAlignment, 128)]
    [InlineData(16, 80)] // the release file's layout: 5,088 bytes in all
    public void BinCentresNpy_IsInt64COrder313By2_WithAnAlignedHeader(int alignment, int headerLength)
    {
        string path = Path.Combine(_root, ModelFileNames.BinCentres);
        SyntheticModels.WriteBinCentres(path, alignment);

        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(headerLength + 313 * 2 * 8, bytes.Length);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        Assert.Equal(headerLength - 10, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength - 10);
        Assert.StartsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (313, 2), }", header);
        Assert.EndsWith("\n", header);
        Assert.Equal("", header[61..^1].Trim(' '));
        for (int i = 0; i < 313; i++)
        {
            Assert.Equal(SyntheticModels.BinCentres[i].A, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(headerLength + 16 * i)));
            Assert.Equal(SyntheticModels.BinCentres[i].B, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(headerLength + 16 * i + 8)));
        }
    }

    [Fact]
    public void NpyWriter_WritesOtherDtypesShapesAndFortranOrder_ForReaderTests()
    {
        string path = Path.Combine(_root, "odd.npy");
        NpyWriter.Write(path, "<f4", fortranOrder: true, [313], new byte[313 * 4]);

        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = 10 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, headerLength % 64);
        Assert.Equal(headerLength + 313 * 4, bytes.Length);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': True, 'shape': (313,), }", Encoding.ASCII.GetString(bytes, 10, headerLength - 10));
        Assert.Contains("'shape': (), }", Encoding.ASCII.GetString(NpyWriter.Header("<i8", false, [])));
        Assert.Contains("'shape': (313, 2, 1), }", Encoding.ASCII.GetString(NpyWriter.Header(">i8", false, [313, 2, 1])));
    }

    [Fact]
    public void BinCentres_AreThe313GridPointsOfTheRelease()
    {
        var centres = SyntheticModels.BinCentres;

        Assert.Equal(313, centres.Count);
        Assert.Equal((-90, 50), centres[0]);
        Assert.Equal((100, 0), centres[^1]);
        Assert.Equal(313, centres.Distinct().Count());
        Assert.All(centres, c =>
        {
            Assert.Equal(0, c.A % 10);
            Assert.Equal(0, c.B % 10);
            Assert.InRange(c.A, -90, 100);
            Assert.InRange(c.B, -110, 100);
        });
    }

    // ---- Helpers ----

    /// <summary>Loads a model folder as the engine will (tail dropped) and runs one S×S input of L − 50 values.</summary>
    private Logits Forward(SyntheticModelFolder folder, int side, Func<int, int, float> lMinus50)
    {
        string prototxt = NetworkDescription.Parse(File.ReadAllText(folder.PrototxtPath), folder.PrototxtPath)
            .WithoutDecodingTail().ToPrototxt();
        string trimmedPath = Path.Combine(_root, "trimmed-" + Path.GetFileName(folder.Directory) + ".prototxt");
        File.WriteAllText(trimmedPath, prototxt);

        using var net = CvDnn.ReadNetFromCaffe(trimmedPath, folder.WeightsPath)
            ?? throw new InvalidOperationException("ReadNetFromCaffe returned null");
        using var input = Input(side, lMinus50);
        using var blob = CvDnn.BlobFromImage(input);
        net.SetInput(blob, NetworkDescription.InputBlob);
        using var result = net.Forward(NetworkDescription.LogitsBlob);
        return Logits.From(result);
    }

    private static Mat Input(int side, Func<int, int, float> lMinus50)
    {
        var values = new float[side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                values[y * side + x] = lMinus50(x, y);
        var mat = new Mat(side, side, MatType.CV_32FC1);
        Marshal.Copy(values, 0, mat.Data, values.Length);
        return mat;
    }

    private static (byte[] Hash, long Length) HashWeights(int seed)
    {
        using var sha = SHA256.Create();
        using var counter = new CountingStream();
        using (var hashing = new CryptoStream(counter, sha, CryptoStreamMode.Write, leaveOpen: true))
        {
            SyntheticModels.WriteRandomWeights(hashing, NetworkDescription.Release, seed);
            hashing.FlushFinalBlock();
        }
        return (sha.Hash!, counter.Length);
    }

    /// <summary>An N×C×H×W float blob copied out of OpenCV.</summary>
    private sealed record Logits(int[] Shape, float[] Values)
    {
        public static Logits From(Mat mat)
        {
            Assert.Equal(4, mat.Dims);
            Assert.Equal(MatType.CV_32F, mat.Type());
            int[] shape = Enumerable.Range(0, 4).Select(mat.Size).ToArray();
            var values = new float[shape.Aggregate(1, (a, b) => a * b)];
            Assert.True(mat.IsContinuous());
            Marshal.Copy(mat.Data, values, 0, values.Length);
            return new Logits(shape, values);
        }

        public float this[int channel, int y, int x] => Values[(channel * Shape[2] + y) * Shape[3] + x];

        public float[] Cell(int y, int x) => Enumerable.Range(0, Shape[1]).Select(c => this[c, y, x]).ToArray();

        public int ArgMax(int y, int x)
        {
            int best = 0;
            for (int c = 1; c < Shape[1]; c++)
                if (this[c, y, x] > this[best, y, x])
                    best = c;
            return best;
        }
    }

    /// <summary>A write-only sink that counts bytes, so the 129 MB can be hashed without touching the disk.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }

    private sealed class AbComparer(double tolerance) : IEqualityComparer<(double A, double B)>
    {
        public bool Equals((double A, double B) x, (double A, double B) y) =>
            Math.Abs(x.A - y.A) <= tolerance && Math.Abs(x.B - y.B) <= tolerance;
        public int GetHashCode((double A, double B) obj) => 0;
    }
}
