using System.Net;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Api;

/// <summary>A models folder without weights and downloads off: the model fails to load.</summary>
public sealed class NoWeightsWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>(), withWeights: false);

/// <summary>What the API and the health check say when there is no model to run.</summary>
public sealed class ColorizeApiModelUnavailableTests(NoWeightsWebFactory factory) : IClassFixture<NoWeightsWebFactory>
{
    [Fact]
    public async Task PostColorize_Returns503WithRetryAfter_WhenTheModelFailedToLoad()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);
        using var client = factory.CreateApiClient();
        using var grey = TestImages.Grey(64, 48);

        using var response = await client.PostColorizeAsync(TestImages.Encode(grey, ".png"));

        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {response.Headers.RetryAfter}");
        // The reason (with the server's paths) is for its log; the client hears that the model is missing.
        Assert.Contains("model", problem.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(factory.Models.ModelsDirectory, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHealth_Returns503_WhenTheModelFailedToLoad()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);
        using var client = factory.CreateApiClient();

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }
}
