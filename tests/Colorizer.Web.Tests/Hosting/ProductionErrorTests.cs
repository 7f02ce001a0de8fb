using System.Net;
using System.Text.Json;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>
/// The app as deployed (<c>Production</c>, an HTTPS port configured), plus two test-only paths that throw an exception
/// whose message holds a secret: <c>/test/throw</c> (a page) and <c>/api/test/throw</c> (the API). They are added
/// after the app's own pipeline, so the app's exception handlers deal with them as with any bug.
/// </summary>
public sealed class ProductionWebFactory : ColorizerWebFactory
{
    public const string Secret = "Password=hunter2";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
        builder.UseSetting("https_port", "443");
        builder.ConfigureTestServices(services => services.AddTransient<IStartupFilter, ThrowingPaths>());
    }

    /// <summary>A client for https://localhost, as behind TLS.</summary>
    public HttpClient CreateHttpsClient(string host = "localhost") =>
        CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri($"https://{host}"), AllowAutoRedirect = false });

    private sealed class ThrowingPaths : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((HttpContext context, RequestDelegate rest) =>
                context.Request.Path == "/test/throw" || context.Request.Path == "/api/test/throw"
                    ? throw new InvalidOperationException($"The database said no ({Secret}).")
                    : rest(context));
        };
    }
}

/// <summary>The same, in Development: no HTTPS redirection even with a port configured.</summary>
public sealed class DevelopmentWithHttpsPortWebFactory : ColorizerWebFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Development");
        builder.UseSetting("https_port", "443");
    }
}

/// <summary>
/// In production an error shows a request id and never the exception or a stack trace, on the page and in the API;
/// plain HTTP is redirected to HTTPS (with HSTS on HTTPS); forms need an antiforgery token.
/// </summary>
public sealed class ProductionErrorTests(ProductionWebFactory factory) : IClassFixture<ProductionWebFactory>
{
    private static void AssertNothingLeaks(string body)
    {
        Assert.DoesNotContain(ProductionWebFactory.Secret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain("The database said no", body, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\bat [A-Z][\w.]+\.\w+\(", body); // a stack frame: "at Namespace.Type.Method("
        Assert.DoesNotContain("ThrowingPaths", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APageError_ShowsTheErrorPageWithARequestId_AndNoExceptionText()
    {
        using var client = factory.CreateHttpsClient();

        using var response = await client.GetAsync("/test/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        string html = await response.Content.ReadAsStringAsync();
        AssertNothingLeaks(html);
        Assert.Contains("Something went wrong", html, StringComparison.Ordinal);
        var requestId = System.Text.RegularExpressions.Regex.Match(html, "data-testid=\"request-id\">([^<]+)<");
        Assert.True(requestId.Success, html);
        Assert.False(string.IsNullOrWhiteSpace(requestId.Groups[1].Value));
        // The error page is static: it starts no circuit that would route back to the failed address (the start page,
        // interactive, carries the circuit's marker).
        Assert.DoesNotContain("<!--Blazor:{", html, StringComparison.Ordinal);
        using var home = await client.GetAsync("/");
        Assert.Contains("<!--Blazor:{", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnApiError_IsProblemJsonWithATraceId_AndNoExceptionText()
    {
        using var client = factory.CreateHttpsClient();

        using var response = await client.GetAsync("/api/test/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        string body = await response.Content.ReadAsStringAsync();
        AssertNothingLeaks(body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(500, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("traceId").GetString()), body);
        Assert.False(json.RootElement.TryGetProperty("exception", out _), body);
        Assert.Contains("logged", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttp_IsRedirectedToHttps()
    {
        using var client = factory.CreateApiClient(); // http://localhost

        using var response = await client.GetAsync("/?x=1");

        Assert.True(response.StatusCode is HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect, $"{(int)response.StatusCode}");
        Assert.Equal("https://localhost/?x=1", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Https_CarriesStrictTransportSecurity()
    {
        // HSTS is never sent for localhost, so ask as a real host name would.
        using var client = factory.CreateHttpsClient("colorizer.example");

        using var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("max-age=", string.Join(",", response.Headers.GetValues("Strict-Transport-Security")), StringComparison.Ordinal);
    }

    // The app's interactive components send events over the circuit, not as form posts, but Blazor's endpoints still
    // take form posts (enhanced forms); without a token they must be refused.
    [Fact]
    public async Task AFormPostWithoutAnAntiforgeryToken_IsRefused()
    {
        using var client = factory.CreateHttpsClient();
        using var form = new FormUrlEncodedContent([new("_handler", "upload"), new("file", "photo.jpg")]);

        using var response = await client.PostAsync("/", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

public sealed class DevelopmentHttpsTests(DevelopmentWithHttpsPortWebFactory factory) : IClassFixture<DevelopmentWithHttpsPortWebFactory>
{
    [Fact]
    public async Task PlainHttp_IsServedInDevelopment()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
