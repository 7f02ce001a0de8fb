using System.Net;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>The tiny model's folder with its weights file replaced by what a bad download or a full disk leaves.</summary>
public abstract class BadWeightsWebFactory : ColorizerWebFactory
{
    protected BadWeightsWebFactory(Func<byte[], byte[]> spoil)
    {
        string weights = Path.Combine(ModelsDirectory, ModelFileNames.Weights);
        File.WriteAllBytes(weights, spoil(File.ReadAllBytes(weights)));
    }
}

/// <summary>An HTML error page saved under the weights' name (a proxy answered instead of the server).</summary>
public sealed class GarbageWeightsWebFactory() : BadWeightsWebFactory(_ =>
    System.Text.Encoding.UTF8.GetBytes("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>\n"));

/// <summary>The weights cut off in the middle of a layer.</summary>
public sealed class TruncatedWeightsWebFactory() : BadWeightsWebFactory(weights => weights[..(weights.Length * 2 / 3)]);

/// <summary>An empty weights file (the disk filled up before anything was written).</summary>
public sealed class EmptyWeightsWebFactory() : BadWeightsWebFactory(_ => []);

/// <summary>
/// With a broken weights file the model fails at start with a message naming the file and saying it is truncated or
/// not a Caffe model; the page still serves and shows that message, readiness is 503 and liveness 200.
/// </summary>
public abstract class BadWeightsTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : ColorizerWebFactory
{
    [Fact]
    public async Task TheModelFails_WithAMessageNamingTheFileAndWhatIsWrongWithIt()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);

        string message = factory.Models.State.Message ?? "";

        Assert.Contains(Path.Combine(factory.ModelsDirectory, ModelFileNames.Weights), message, StringComparison.Ordinal);
        Assert.Contains("truncated", message, StringComparison.Ordinal);
        Assert.Contains("not a Caffe model", message, StringComparison.Ordinal);
        Assert.Contains("download it again", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePageStillServes_AndShowsTheFailure()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);
        using var client = factory.CreateApiClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("data-status=\"failed\"", html, StringComparison.Ordinal);
        Assert.Contains(factory.Models.State.Message!, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadinessIs503_LivenessIs200_AndTheApiSays503()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);
        using var client = factory.CreateApiClient();
        using var grey = TestImages.Grey(32, 24);

        using var ready = await client.GetAsync("/health");
        using var live = await client.GetAsync("/health/live");
        using var colorize = await client.PostColorizeAsync(TestImages.Encode(grey, ".png"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        var problem = await ApiRequests.AssertProblemAsync(colorize, HttpStatusCode.ServiceUnavailable);
        Assert.DoesNotContain(factory.ModelsDirectory, problem.Detail, StringComparison.Ordinal);
    }
}

public sealed class GarbageWeightsTests(GarbageWeightsWebFactory factory) : BadWeightsTests<GarbageWeightsWebFactory>(factory);

public sealed class TruncatedWeightsTests(TruncatedWeightsWebFactory factory) : BadWeightsTests<TruncatedWeightsWebFactory>(factory);

public sealed class EmptyWeightsTests(EmptyWeightsWebFactory factory) : BadWeightsTests<EmptyWeightsWebFactory>(factory);
