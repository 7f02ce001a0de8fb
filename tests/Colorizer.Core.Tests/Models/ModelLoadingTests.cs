using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Core.Tests.Models;

public sealed class ModelLoadingTests : IDisposable
{
    private static readonly int Bin = 100;
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private SyntheticModelFolder WriteTiny(bool includeDecodingTail = true) =>
        SyntheticModels.WriteTiny(_directory.Path, TinyModel.ConstantBin(Bin), includeDecodingTail);

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void OfficialPrototxtWithItsDecodingTail_IsAcceptedUnmodified(InferenceBackend backend)
    {
        var folder = WriteTiny(includeDecodingTail: true);
        Assert.Contains("class8_ab", File.ReadAllText(folder.PrototxtPath));
        using var engine = ColorizationEngine.Load(folder.Directory, backend: backend);
        engine.WarmUp(128);
        Assert.Equal(1, engine.ForwardPassCount);
    }

    [Theory]
    [InlineData(InferenceBackend.Onnx, "ONNX Runtime")]
    [InlineData(InferenceBackend.OpenCv, "OpenCV")]
    public void Load_UsesTheBackendAskedFor_AndLogsItsRuntime(InferenceBackend backend, string runtime)
    {
        var folder = WriteTiny();
        using var log = new CapturingLoggerProvider();
        using var engine = ColorizationEngine.Load(folder.Directory, log.CreateLogger("test"), backend);

        Assert.Equal(backend, engine.Backend);
        Assert.StartsWith(runtime, engine.Runtime, StringComparison.Ordinal);
        var loaded = Assert.Single(log.Entries, e => e.Message.StartsWith("Loaded the colorization model", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, loaded.Level);
        Assert.Contains($"on {engine.Runtime} ({InferenceBackendNames.Of(backend)} backend)", loaded.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithoutABackend_UsesTheDefault()
    {
        var folder = WriteTiny();
        using var engine = ColorizationEngine.Load(folder.Directory);
        Assert.Equal(InferenceBackendDefaults.Default, engine.Backend);
    }

    [Fact]
    public void Load_RefusesAValueThatIsNoBackend_BeforeReadingAnyFile()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ColorizationEngine.Load(_directory.File("nowhere"), backend: (InferenceBackend)7));
        Assert.Equal("backend", error.ParamName);
        Assert.Contains("onnx or opencv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenCvBackend_WithAThreadCount_SetsOpenCvsThreads()
    {
        var folder = WriteTiny();
        int before = Cv2.GetNumThreads();
        try
        {
            using (ColorizationEngine.Load(folder.Directory, backend: InferenceBackend.OpenCv, threads: 1))
                Assert.Equal(1, Cv2.GetNumThreads());
            Cv2.SetNumThreads(before);
            // 0 leaves OpenCV's count as it is.
            using (ColorizationEngine.Load(folder.Directory, backend: InferenceBackend.OpenCv, threads: 0))
                Assert.Equal(before, Cv2.GetNumThreads());
        }
        finally
        {
            Cv2.SetNumThreads(before);
        }
    }

    [Fact]
    public void MissingWeights_NameTheFileAndSayWhereToGetIt()
    {
        var folder = WriteTiny();
        File.Delete(folder.WeightsPath);
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Equal(ModelFileNames.Weights, error.FileName);
        Assert.Contains(folder.WeightsPath, error.Message);
        Assert.Contains("128,946,764", error.Message);
        Assert.Contains("eecs.berkeley.edu", error.Message);
    }

    [Fact]
    public void PrototxtWithoutTheLogitsLayer_IsRefusedNamingIt()
    {
        var folder = WriteTiny();
        File.WriteAllText(folder.PrototxtPath, """
            name: "NotColorization"
            layer { name: "data_l" type: "Input" top: "data_l" input_param { shape { dim: 1 dim: 1 dim: 224 dim: 224 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data_l" top: "conv1" convolution_param { num_output: 8 kernel_size: 3 } }
            """);
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Equal(folder.PrototxtPath, error.FileName);
        Assert.Contains("conv8_313", error.Message);
    }

    [Fact]
    public void PrototxtWithASyntaxError_IsRefusedWithTheLine()
    {
        var folder = WriteTiny();
        File.WriteAllText(folder.PrototxtPath, "name: \"x\"\nlayer {\n  name: \"data_l\"\n");
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Equal(folder.PrototxtPath, error.FileName);
        Assert.Contains("not a valid Caffe prototxt", error.Message);
    }

    [Fact]
    public void WeightsWithoutALayerOfThePrototxt_AreRefusedNamingTheLayer()
    {
        var folder = WriteTiny();
        using (var writer = new CaffeModelWriter(folder.WeightsPath))
            writer.WriteLayer("some_other_layer", "Convolution", CaffeBlob.Zeros(313, 1, 4, 4));
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Equal(folder.WeightsPath, error.FileName);
        Assert.Contains("'conv8_313'", error.Message);
    }

    [Fact]
    public void TruncatedWeights_AreRefusedAsTruncated()
    {
        var folder = WriteTiny();
        byte[] bytes = File.ReadAllBytes(folder.WeightsPath);
        File.WriteAllBytes(folder.WeightsPath, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void EmptyWeights_AreRefusedAsTruncated()
    {
        var folder = WriteTiny();
        File.WriteAllBytes(folder.WeightsPath, []);
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Equal(folder.WeightsPath, error.FileName);
        Assert.Contains("empty (0 bytes)", error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void GarbageWeights_AreRefused()
    {
        var folder = WriteTiny();
        File.WriteAllText(folder.WeightsPath, "<html>404 Not Found</html>");
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Equal(folder.WeightsPath, error.FileName);
    }

    [Fact]
    public void BinCentresOfTheWrongDtype_AreRefusedSayingWhatWasExpected()
    {
        var folder = WriteTiny();
        NpyWriter.Write(folder.BinCentresPath, "<f8", fortranOrder: false, [313, 2], new byte[313 * 2 * 8]);
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Equal(folder.BinCentresPath, error.FileName);
        Assert.Contains("'<f8'", error.Message);
        Assert.Contains("int64", error.Message);
    }

    [Theory]
    [InlineData(false, new[] { 313, 3 }, "shape")]
    [InlineData(true, new[] { 313, 2 }, "Fortran")]
    public void BinCentresOfTheWrongLayout_AreRefused(bool fortranOrder, int[] shape, string expected)
    {
        var folder = WriteTiny();
        NpyWriter.Write(folder.BinCentresPath, "<i8", fortranOrder, shape, new byte[shape[0] * shape[1] * 8]);
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.Load(folder.Directory));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(16)]
    public void BinCentresNpy_IsReadAsTheRealFileIs(int alignment)
    {
        string path = _directory.File("pts.npy");
        SyntheticModels.WriteBinCentres(path, alignment);
        var centres = BinCentres.ReadNpy(path);
        Assert.Equal(SyntheticModels.BinCentres.Select(c => (float)c.A), centres.A);
        Assert.Equal(SyntheticModels.BinCentres.Select(c => (float)c.B), centres.B);
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public void FolderWithOnlyTheWeights_UsesTheBuiltInDescriptionAndCentres(InferenceBackend backend)
    {
        // The release weights alone: the built-in prototxt and centres complete them.
        string folder = _directory.File("weights-only");
        Directory.CreateDirectory(folder);
        var full = SyntheticModels.WriteFullSize(_directory.File("full"), seed: 7);
        File.Move(full.WeightsPath, Path.Combine(folder, ModelFileNames.Weights));
        using var engine = ColorizationEngine.Load(folder, backend: backend);
        Assert.Equal(SyntheticModels.BinCentres.Select(c => (float)c.A), engine.Bins.A);
        engine.WarmUp();
        Assert.True(engine.IsWarm);
    }

    [Fact]
    public void ExplicitFolder_WinsOverTheEnvironmentVariable()
    {
        string previous = Environment.GetEnvironmentVariable(ModelLocator.EnvironmentVariable) ?? "";
        try
        {
            Environment.SetEnvironmentVariable(ModelLocator.EnvironmentVariable, "/from/environment");
            Assert.Equal("/explicit", ModelLocator.Resolve("/explicit"));
            Assert.Equal("/from/environment", ModelLocator.Resolve(null));
            Environment.SetEnvironmentVariable(ModelLocator.EnvironmentVariable, null);
            Assert.Equal(ModelLocator.DefaultDirectory, ModelLocator.Resolve(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModelLocator.EnvironmentVariable, previous.Length == 0 ? null : previous);
        }
    }
}
