using System.Net;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Colorizer.Web.Tests.Diagnostics;

/// <summary>The app with its metrics endpoint on and the refusals' log lines kept.</summary>
public class MetricsWebFactory : ColorizerWebFactory
{
    public MetricsWebFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    protected MetricsWebFactory(IDictionary<string, string?> settings)
        : base(new Dictionary<string, string?>(settings) { ["Metrics:Enabled"] = "true" })
    {
    }

    private readonly List<string> _refusals = [];

    /// <summary>The refusal log's lines so far.</summary>
    public IReadOnlyList<string> Refusals
    {
        get
        {
            lock (_refusals)
                return [.. _refusals];
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(new LineLog(_refusals));
            logging.AddFilter<LineLog>("Colorizer.Web.Refusals", LogLevel.Information);
        });
    }

    private sealed class LineLog(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(List<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (category != "Colorizer.Web.Refusals")
                    return;
                lock (lines)
                    lines.Add($"{logLevel} {formatter(state, exception)}");
            }
        }
    }
}

/// <summary>
/// Behind a reverse proxy, as the Kubernetes deployment sets it up: ASP.NET Core's own forwarded-headers switch
/// (<c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>), which takes the client's address from the last <c>X-Forwarded-For</c> entry.
/// </summary>
public sealed class BehindProxyWebFactory() : MetricsWebFactory(new Dictionary<string, string?> { ["FORWARDEDHEADERS_ENABLED"] = "true" });

public sealed class BehindProxyTests(BehindProxyWebFactory factory) : IClassFixture<BehindProxyWebFactory>
{
    [Fact]
    public async Task BehindAProxy_TheClientIsTheForwardedAddress_NotTheProxy()
    {
        using var client = await factory.CreateReadyClientAsync();
        using var image = TestImages.Grey(64, 48);
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiRequests.ColorizeUri("saturation=7"))
        {
            Content = ApiRequests.Form(TestImages.Encode(image, ".png")),
        };
        // What ingress-nginx sends: whatever the client claimed, then the address it saw.
        request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.7");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(factory.Refusals, line => line.Contains("for 203.0.113.7 ", StringComparison.Ordinal));
    }
}

public sealed class ServerDiagnosticsTests(MetricsWebFactory factory) : IClassFixture<MetricsWebFactory>
{
    private static byte[] GreyPng()
    {
        using var image = TestImages.Grey(64, 48);
        return TestImages.Encode(image, ".png");
    }

    [Fact]
    public async Task ARefusedRequest_IsLoggedOnceAtInformation_WithItsReasonClientAndRequestId()
    {
        using var client = await factory.CreateReadyClientAsync();
        int before = factory.Refusals.Count;

        using var response = await client.PostColorizeAsync(GreyPng(), "saturation=7");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var lines = factory.Refusals.Skip(before).ToList();
        string line = Assert.Single(lines);
        Assert.StartsWith("Information Refused POST /api/colorize with 422 for ", line, StringComparison.Ordinal);
        Assert.Contains("(request ", line, StringComparison.Ordinal);
        Assert.Contains("saturation", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASuccessfulRequest_IsNotLoggedAsARefusal()
    {
        using var client = await factory.CreateReadyClientAsync();
        int before = factory.Refusals.Count;

        using var response = await client.PostColorizeAsync(GreyPng());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, factory.Refusals.Count);
    }

    [Fact]
    public async Task TheMetricsEndpoint_ShowsTheQueue_ForwardPassesByModelAndSize_AndRefusalsByReason()
    {
        using var client = await factory.CreateReadyClientAsync();
        using (var ok = await client.PostColorizeAsync(GreyPng(), "renderSize=128"))
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        using (var refused = await client.PostColorizeAsync(GreyPng(), "renderSize=7"))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);

        // The exporter caches its scrape for a moment; a fresh one follows the requests above.
        string text = "";
        await Waiting.UntilAsync(() =>
        {
            using var response = client.GetAsync("/metrics").GetAwaiter().GetResult();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            return text.Contains("reason=\"422\"", StringComparison.Ordinal);
        }, "the refusal in the metrics", TimeSpan.FromSeconds(15));

        Assert.Matches(@"(?m)^colorizer_queue_running(_jobs)?(\{[^}]*\})? 0", text);
        Assert.Matches(@"(?m)^colorizer_queue_waiting(_jobs)?(\{[^}]*\})? 0", text);
        Assert.Matches(@"(?m)^colorizer_forward_pass_duration_seconds_count\{[^}]*model=""eccv16""[^}]*size=""128""[^}]*\} [1-9]", text);
        Assert.Matches(@"(?m)^colorizer_refusals(_total)?\{[^}]*reason=""422""[^}]*surface=""api""[^}]*\} [1-9]", text);
        // The galleries' memory within its budget (192 MiB by default), and their disk use.
        Assert.Matches(@"(?m)^colorizer_gallery_memory_budget_bytes(\{[^}]*\})? 201326592", text);
        // The in-use gauges are exported with a value; not necessarily 0: OpenTelemetry listens to every meter of that name
        // in the process, and other test apps running meanwhile hold galleries, uploads and video jobs of their own.
        Assert.Matches(@"(?m)^colorizer_gallery_memory_bytes(\{[^}]*\})? \d", text);
        Assert.Matches(@"(?m)^colorizer_gallery_storage_bytes(\{[^}]*\})? \d", text);
        // The memory budget for images in flight (1 GiB by default), what it holds and who waits for it.
        Assert.Matches(@"(?m)^colorizer_admission_memory_budget_bytes(\{[^}]*\})? 1073741824", text);
        Assert.Matches(@"(?m)^colorizer_admission_memory_bytes(\{[^}]*\})? \d", text);
        Assert.Matches(@"(?m)^colorizer_admission_waiting(_requests)?(\{[^}]*\})? \d", text);
        // Video jobs kept, and their disk use.
        Assert.Matches(@"(?m)^colorizer_video_jobs(_jobs)?(\{[^}]*\})? \d", text);
        Assert.Matches(@"(?m)^colorizer_video_storage_bytes(\{[^}]*\})? \d", text);
    }
}

public sealed class MetricsOffByDefaultTests(ColorizerWebFactory factory) : IClassFixture<ColorizerWebFactory>
{
    [Fact]
    public async Task TheMetricsEndpoint_IsOffByDefault()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>Metrics on a port of their own (9464), as the Kubernetes deployment serves them.</summary>
public sealed class MetricsOwnPortWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Metrics:Enabled"] = "true",
    ["Metrics:Port"] = "9464",
});

public sealed class MetricsOwnPortTests(MetricsOwnPortWebFactory factory) : IClassFixture<MetricsOwnPortWebFactory>
{
    [Fact]
    public async Task MetricsOnTheirOwnPort_AreNotFoundOnTheAppsPort()
    {
        using var client = factory.CreateApiClient();

        using var response = await client.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
