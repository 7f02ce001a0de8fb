using System.Net;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>The web app over the tiny model with <c>Colorizer:Backend</c> set to <paramref name="backend"/>.</summary>
public sealed class BackendSettingWebFactory(string backend)
    : ColorizerWebFactory(new Dictionary<string, string?> { ["Colorizer:Backend"] = backend });

/// <summary>The web app over the tiny model with other <c>Colorizer</c> settings.</summary>
public sealed class ColorizerSettingsWebFactory(IDictionary<string, string?> settings) : ColorizerWebFactory(settings);

/// <summary><c>Colorizer:Backend</c>: each backend's name serves the API; anything else stops the app at start, naming the setting.</summary>
public sealed class BackendSettingTests
{
    public static TheoryData<string> Backends => new(InferenceBackendNames.All);

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Backend_ServesTheApi_WithTheModelOnIt(string backend)
    {
        using var factory = new BackendSettingWebFactory(backend);
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Gradient(64, 48, 60, 190);

        using var response = await client.PostColorizeAsync(TestImages.Encode(grey, ".png"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(InferenceBackendNames.TryParse(backend, out var expected));
        Assert.Equal(expected, factory.Models.Engine?.Backend);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        var (a, b) = ImageAssertions.MeanAb(image);
        Assert.InRange(a, 15, 25);
        Assert.InRange(b, 25, 35);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task Backend_MatchesTheReferenceRecipe_ByAtLeast40Db(string backend)
    {
        using var factory = new BackendSettingWebFactory(backend);
        // Before the app starts: a model whose colour follows the lightness, so the comparison has colour to compare.
        SyntheticModels.WriteTiny(factory.ModelsDirectory,
            TinyModel.LightnessDependent(SyntheticModels.BinAt(20, 40), SyntheticModels.BinAt(-10, -40), slope: 0.08f));
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(333, 217);

        using var response = await client.PostColorizeAsync(TestImages.Encode(grey, ".png"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var ours = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        using var reference = ReferenceRecipe.Colorize(factory.ModelsDirectory, grey);
        double psnr = TestImages.Psnr(reference, ours);
        Assert.True(psnr >= 40, $"PSNR against the reference recipe on {backend}: {psnr:0.0} dB");
    }

    [Fact]
    public async Task Backend_IsReadWhateverItsCase()
    {
        using var factory = new BackendSettingWebFactory("OpenCV");
        await factory.WaitForModelAsync(Core.Models.ModelStatus.Ready);
        Assert.Equal(InferenceBackend.OpenCv, factory.Models.Engine?.Backend);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("")]
    [InlineData("1")] // .NET's enum parsing would take a number, and a list of names: neither is a backend's name
    [InlineData("onnx,opencv")]
    public void Backend_ThatIsNoBackendsName_StopsTheAppAtStart_NamingTheSettingAndTheChoices(string value)
    {
        var error = Record.Exception(() => ResolveOptions(new() { ["Colorizer:Backend"] = value }));

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Equal($"Colorizer:Backend is '{value}', which is not a backend: use onnx or opencv.", validation.Message);
    }

    [Fact]
    public async Task PrecisionInt8_ServesTheApi_OnTheInt8Network()
    {
        using var factory = new ColorizerSettingsWebFactory(new Dictionary<string, string?> { ["Colorizer:Precision"] = "int8" });
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Gradient(64, 48, 60, 190);

        using var response = await client.PostColorizeAsync(TestImages.Encode(grey, ".png"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("(INT8)", factory.Models.Engine?.Runtime, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("opencv", "int8", "Colorizer:Precision int8 needs the onnx backend")]
    [InlineData("onnx", "int4", "Colorizer:Precision is 'int4', which is not a precision: use fp32 or int8.")]
    public void Precision_ThatCannotRun_StopsTheAppAtStart(string backend, string precision, string message)
    {
        var error = Record.Exception(() => ResolveOptions(new() { ["Colorizer:Backend"] = backend, ["Colorizer:Precision"] = precision }));

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains(message, validation.Message, StringComparison.Ordinal);
    }

    // The app's own registrations over these settings; reading the options is what ValidateOnStart does at start.
    // (Through a whole host, a failed start could surface as the factory's ObjectDisposedException instead.)
    private static ColorizerOptions ResolveOptions(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddColorization(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ColorizerOptions>>().Value;
    }

    private static Exception? Unwrap(Exception? error)
    {
        while (error is AggregateException { InnerExceptions.Count: 1 } aggregate)
            error = aggregate.InnerException;
        return error;
    }
}
