using System.Net;
using Colorizer.Core.Models;
using Colorizer.Web.Tests.Api;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Hosting;

public sealed class HostingTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    [Fact]
    public async Task Pages_CarryTheSecurityHeaders()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy);
        Assert.Contains("script-src 'self';", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task ApiAnswers_CarryTheHeadersToo()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var response = await client.PostAsync("/api/colorize", new StringContent("x"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task Liveness_AnswersWhateverTheModel_AndReadinessOnceReady()
    {
        using var client = await factory.CreateReadyClientAsync();
        Assert.Equal(ModelStatus.Ready, factory.Models.State.Status);
        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(factory.Models.OpenCvLimits?.Passed, factory.Models.OpenCvLimits?.Message);
    }
}

public sealed class HostingWithoutModelTests(NoWeightsWebFactory factory) : IClassFixture<NoWeightsWebFactory>
{
    [Fact]
    public async Task Liveness_Is200_WhileReadinessIs503()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);
        using var client = factory.CreateApiClient();
        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    [Fact]
    public async Task Page_StillServes_AndSaysWhatToDo()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);
        using var client = factory.CreateApiClient();
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-status=\"failed\"", html);
        Assert.Contains("colorization_release_v2.caffemodel", html);
    }
}
