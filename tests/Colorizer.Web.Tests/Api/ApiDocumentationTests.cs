using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Api;

/// <summary>The OpenAPI document and the browsable API reference.</summary>
public sealed partial class ApiDocumentationTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    [Fact]
    public async Task OpenApiDocument_DescribesPostColorize_WithItsParametersBodyAndAnswers()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var post = json.RootElement.GetProperty("paths").GetProperty("/api/colorize").GetProperty("post");
        Assert.Equal("Colorize", post.GetProperty("operationId").GetString());

        var parameters = post.GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
        Assert.Equal(["format", "metadata", "model", "modelSize", "renderSize", "restore", "restoreStrength", "saturation", "temperature", "transfer"], parameters.Keys.Order());
        Assert.Equal(Colorizer.Core.Models.Catalogue.ModelCatalogue.All.Select(m => m.Id),
            parameters["model"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("eccv16", parameters["model"].GetProperty("schema").GetProperty("default").GetString());
        Assert.Equal([192, 256, 384, 512], parameters["modelSize"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetInt32()));
        Assert.All(parameters.Values, p => Assert.Equal("query", p.GetProperty("in").GetString()));
        Assert.Equal("number", parameters["temperature"].GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(0.38, parameters["temperature"].GetProperty("schema").GetProperty("default").GetDouble());
        Assert.Equal("integer", parameters["renderSize"].GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal(8, parameters["renderSize"].GetProperty("schema").GetProperty("multipleOf").GetInt32());
        Assert.Contains("webp", parameters["format"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));

        var properties = post.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data")
            .GetProperty("schema").GetProperty("properties");
        Assert.Equal("binary", properties.GetProperty("file").GetProperty("format").GetString());
        Assert.Equal("binary", properties.GetProperty("reference").GetProperty("format").GetString());
        var hints = properties.GetProperty("hints");
        Assert.Equal("string", hints.GetProperty("type").GetString());
        Assert.Contains("#rrggbb", hints.GetProperty("description").GetString());
        // The example is itself valid hints.
        Assert.NotEmpty(Colorizer.Core.Guidance.HintsJson.Parse(hints.GetProperty("examples")[0].GetString()!));
        Assert.Equal(["bands", "global"], parameters["transfer"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!));

        var responses = post.GetProperty("responses");
        Assert.Equal(["200", "400", "413", "415", "422", "429", "503"], responses.EnumerateObject().Select(r => r.Name).Order());
        Assert.Equal(["keep", "strip", "strip-location"], parameters["metadata"].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["image/jpeg", "image/png", "image/tiff", "image/webp"],
            responses.GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).Order());
        Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(responses.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesGetModels()
    {
        using var client = factory.CreateApiClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var get = json.RootElement.GetProperty("paths").GetProperty("/api/models").GetProperty("get");
        Assert.Equal("ListModels", get.GetProperty("operationId").GetString());
        Assert.True(get.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/json", out _));
    }

    [Fact]
    public async Task ApiDocsPage_ReturnsHtml_WhoseScriptsAllComeFromTheApp()
    {
        using var client = factory.CreateClient(); // follows /api/docs → /api/docs/

        using var page = await client.GetAsync("/api/docs");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        string html = await page.Content.ReadAsStringAsync();
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (string src in scripts)
        {
            // Relative: served by this app, never a CDN.
            Assert.False(Uri.TryCreate(src, UriKind.Absolute, out _), $"The page loads {src} from elsewhere.");
            using var script = await client.GetAsync(new Uri(page.RequestMessage!.RequestUri!, src));
            Assert.True(script.StatusCode == HttpStatusCode.OK, $"{src}: {(int)script.StatusCode}");
            Assert.Contains("javascript", script.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 1000, $"{src} is nearly empty.");
        }
        // Scalar's default fonts come from its CDN.
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<script[^>]*\ssrc=""(?<src>[^""]+)""")]
    private static partial Regex ScriptSource();
}
