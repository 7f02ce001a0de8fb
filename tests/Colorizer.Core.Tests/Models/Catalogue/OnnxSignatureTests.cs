using Colorizer.Core.Colorization;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Models.Catalogue;

public sealed class OnnxSignatureTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private ModelFilesException Refused(string id, byte[] file)
    {
        var model = ModelCatalogue.Get(id);
        string path = TinyOnnxModels.WriteTo(_directory.Path, model, file);
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.LoadOnnxModel(model, _directory.Path));
        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void WrongInputName_IsRefusedNamingExpectedAndFound()
    {
        var error = Refused("ddcolor", TinyOnnxModels.Signature("image", ["1", "3", "h", "w"], ["1", "2", "h", "w"]));
        Assert.Contains("expected one float32 input named 'input' of shape [1, 3, S, S]", error.Message, StringComparison.Ordinal);
        Assert.Contains("found input 'image' float32 [1, 3, h, w]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongRank_IsRefused()
    {
        var error = Refused("deoldify", TinyOnnxModels.Signature("input", ["3", "h", "w"], ["3", "h", "w"]));
        Assert.Contains("found input 'input' float32 [3, h, w]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeOldifyFileLoadedAsDDColor_IsRefusedForItsOutputChannels()
    {
        var error = Refused("ddcolor-artistic", TinyOnnxModels.ConstantRgb(1, 2, 3));
        Assert.Contains("is not a DDColor model: expected a float32 first output of shape [1, 2, S, S]; found first output 'output' float32 [1, 3, height, width]",
            error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DDColorFileLoadedAsDeOldify_IsRefused()
    {
        var error = Refused("deoldify-artistic", TinyOnnxModels.ConstantAb(1, 2));
        Assert.Contains("[1, 3, S, S]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[1, 2, height, width]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonSquareFixedInput_IsRefused()
    {
        var error = Refused("ddcolor", TinyOnnxModels.Signature("input", ["1", "3", "256", "192"], ["1", "2", "256", "192"]));
        Assert.Contains("[1, 3, 256, 192]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotAnOnnxFile_IsRefusedNamingIt()
    {
        var error = Refused("ddcolor", "not a model"u8.ToArray());
        Assert.Contains("ONNX Runtime could not load", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_IsModelFilesException()
    {
        var error = Assert.Throws<ModelFilesException>(() => ColorizationEngine.LoadOnnxModel(ModelCatalogue.Get("deoldify"), _directory.Path));
        Assert.Equal("deoldify.onnx", error.FileName);
    }

    public void Dispose() => _directory.Dispose();
}
