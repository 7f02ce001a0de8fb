using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colorizer.Web.Tests.Api;

/// <summary>
/// The app with downloads on and a model mirror on loopback that serves a tiny DeOldify-type file (and its CRC-32),
/// plus a tiny DDColor-type file already in the models folder. Generated stand-ins of each type's contract, not the
/// real networks.
/// </summary>
public sealed class OnnxModelsFixture : IAsyncLifetime
{
    private WebApplication? _mirror;

    public static readonly byte[] DeOldifyFile = TinyOnnxModels.ConstantRgb(200, 120, 60);

    public OnnxModelsWebFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        _mirror = builder.Build();
        _mirror.Urls.Add("http://127.0.0.1:0");
        string crc = System.IO.Hashing.Crc32.HashToUInt32(DeOldifyFile).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        _mirror.MapGet("/mirror/deoldify.onnx", () => Results.Bytes(DeOldifyFile, "application/octet-stream", enableRangeProcessing: true));
        _mirror.MapGet("/mirror/deoldify.hash", () => crc);
        await _mirror.StartAsync();
        string address = _mirror.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Factory = new OnnxModelsWebFactory(new Dictionary<string, string?>
        {
            ["Colorizer:DownloadWeights"] = "true",
            ["Colorizer:ModelMirror"] = address + "/mirror/",
        });
        TinyOnnxModels.WriteTo(Factory.ModelsDirectory, ModelCatalogue.Get("ddcolor"), TinyOnnxModels.ConstantAb(30, -20));
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        if (_mirror is not null)
            await _mirror.DisposeAsync();
    }
}

/// <summary>The factory of <see cref="OnnxModelsFixture"/>.</summary>
public sealed class OnnxModelsWebFactory(IDictionary<string, string?> settings) : ColorizerWebFactory(settings);

/// <summary><c>model</c> and <c>modelSize</c> on <c>POST /api/colorize</c>, and <c>GET /api/models</c>.</summary>
public sealed class ModelsApiTests(OnnxModelsFixture fixture) : IClassFixture<OnnxModelsFixture>
{
    private static byte[] GreyPng()
    {
        using var grey = TestImages.Gradient(96, 64, 80, 170);
        return TestImages.Encode(grey, ".png");
    }

    private static async Task<JsonElement> ModelAsync(HttpClient client, string id)
    {
        var list = await client.GetFromJsonAsync<JsonElement>("/api/models");
        return list.EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task GetModels_ListsTheCatalogueWithLicencesAndStates()
    {
        using var client = await fixture.Factory.CreateReadyClientAsync();

        using var response = await client.GetAsync("/api/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(ModelCatalogue.All.Select(m => m.Id), list.EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        var eccv16 = list[0];
        Assert.True(eccv16.GetProperty("isDefault").GetBoolean());
        Assert.True(eccv16.GetProperty("hasDistribution").GetBoolean());
        Assert.Equal("downloaded", eccv16.GetProperty("state").GetString());
        var ddcolor = list[1];
        Assert.Equal("Apache-2.0", ddcolor.GetProperty("licence").GetString());
        Assert.Equal("ddcolor", ddcolor.GetProperty("type").GetString());
        Assert.False(ddcolor.GetProperty("hasDistribution").GetBoolean());
        Assert.Equal("downloaded", ddcolor.GetProperty("state").GetString());
        Assert.Equal(new FileInfo(Path.Combine(fixture.Factory.ModelsDirectory, "ddcolor.onnx")).Length, ddcolor.GetProperty("sizeBytes").GetInt64());
        Assert.Equal([192, 256, 384, 512], ddcolor.GetProperty("inputSizes").EnumerateArray().Select(s => s.GetInt32()));
        var artistic = await ModelAsync(client, "deoldify-artistic");
        Assert.Equal("notDownloaded", artistic.GetProperty("state").GetString());
        Assert.Equal("MIT", artistic.GetProperty("licence").GetString());
    }

    [Theory]
    [InlineData("model=ddcolor")]
    [InlineData("model=ddcolor&modelSize=512")]
    public async Task PostColorize_WithDDColor_GivesItsChroma(string query)
    {
        using var client = await fixture.Factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(GreyPng(), query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var image = ImageAssertions.Decode(await response.Content.ReadAsByteArrayAsync());
        var (a, b) = ImageAssertions.MeanAb(image);
        Assert.Equal(30, a, 1.0);
        Assert.Equal(-20, b, 1.0);
    }

    [Theory]
    [InlineData("model=ddcolour", "model")]
    [InlineData("model=ddcolor&modelSize=300", "modelSize")]
    [InlineData("model=ddcolor&modelSize=big", "modelSize")]
    [InlineData("model=ddcolor&renderSize=224", "renderSize")]
    [InlineData("modelSize=256", "modelSize")]
    public async Task PostColorize_WithABadModelParameter_Is422NamingIt(string query, string parameter)
    {
        using var client = await fixture.Factory.CreateReadyClientAsync();

        using var response = await client.PostColorizeAsync(GreyPng(), query);

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Equal([parameter], problem.Errors.Keys);
        Assert.Contains($"'{parameter}'", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostColorize_WithAModelNotYetDownloaded_Is503WithRetryAfter_AndStartsItsDownload()
    {
        using var client = await fixture.Factory.CreateReadyClientAsync();

        using var first = await client.PostColorizeAsync(GreyPng(), "model=deoldify");

        var problem = await ApiRequests.AssertProblemAsync(first, HttpStatusCode.ServiceUnavailable);
        Assert.True(first.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {first.Headers.RetryAfter}");
        Assert.Contains("download", problem.Detail, StringComparison.Ordinal);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await ModelAsync(client, "deoldify")).GetProperty("state").GetString() != "downloaded")
        {
            Assert.True(DateTime.UtcNow < deadline, "the download did not finish");
            await Task.Delay(50);
        }
        Assert.Equal(OnnxModelsFixture.DeOldifyFile, await File.ReadAllBytesAsync(Path.Combine(fixture.Factory.ModelsDirectory, "deoldify.onnx")));

        using var second = await client.PostColorizeAsync(GreyPng(), "model=deoldify");

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        using var image = ImageAssertions.Decode(await second.Content.ReadAsByteArrayAsync());
        var (a, b) = ImageAssertions.MeanAb(image);
        Assert.True(a > 15 && b > 35, $"expected the orange's chroma, got ({a:0.#}, {b:0.#})");
    }
}

/// <summary>With downloads off (the test factory's default) a model not in the folder is unavailable, not a 500.</summary>
public sealed class ModelsApiDownloadsOffTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    [Fact]
    public async Task PostColorize_WithAMissingModel_Is503_WithoutTheServersPaths()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(64, 48);

        using var response = await client.PostColorizeAsync(TestImages.Encode(grey, ".png"), "model=ddcolor-artistic");

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.DoesNotContain(factory.ModelsDirectory, problem.Detail, StringComparison.Ordinal);
        var state = factory.Services.GetRequiredService<ModelLibrary>().StateOf(ModelCatalogue.Get("ddcolor-artistic"));
        Assert.Equal(ModelFileStatus.NotDownloaded, state.Status);
    }
}
