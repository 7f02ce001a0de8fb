using System.Diagnostics;
using System.Net;
using Colorizer.Testing;
using Colorizer.Web.Api;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>Over Kestrel on loopback: 3 API requests at once per client, then one every 2 s (30 a minute).</summary>
public sealed class RateLimitWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["RateLimit:PermitsPerMinute"] = "30",
    ["RateLimit:Burst"] = "3",
}, kestrel: true);

/// <summary>A host with the given settings, to see it refuse bad ones at start.</summary>
public sealed class SettingsWebFactory(IDictionary<string, string?> settings) : ColorizerWebFactory(settings);

/// <summary>The API's per-client rate limit.</summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed class RateLimitTests(RateLimitWebFactory factory, ITestOutputHelper output) : IClassFixture<RateLimitWebFactory>
{
    [Fact]
    public async Task TheFourthApiRequestInABurstOfThree_Gets429ProblemWithRetryAfter_ThePageIsNotLimited_AndTheApiWorksAgainAfterRetryAfter()
    {
        using var client = await factory.CreateReadyClientAsync();
        var photo = Photo();
        var clock = Stopwatch.StartNew();

        // Three at once use up the bucket; a token comes back every 2 s, far longer than these take.
        var first = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Outcome.SendAsync(client, "within the burst", LoadRequests.Colorize(photo))));
        var fourth = await Outcome.SendAsync(client, "over the limit", LoadRequests.Colorize(photo));
        var sent = clock.Elapsed;

        // What is not the API is not limited: health checks, the page, the API's documentation.
        var others = new List<Outcome>();
        foreach (string path in (string[])["/health", "/health/live", "/", "/openapi/v1.json", "/health", "/health", "/health", "/health"])
            others.Add(await Outcome.SendAsync(client, path, LoadRequests.Get(path)));
        var stillRefused = await Outcome.SendAsync(client, "still over the limit", LoadRequests.Colorize(photo));

        var wait = fourth.RetryAfter ?? TimeSpan.Zero;
        // The limiter adds its tokens from a timer on the thread pool: a tick may run a little late (a blocking
        // collection elsewhere in this test process pauses it and the request alike, and either may run first after
        // it). Once seen with a 250 ms margin; a second is far below the next token after that one.
        await Task.Delay(wait + TimeSpan.FromSeconds(1));
        var again = await Outcome.SendAsync(client, "after Retry-After", LoadRequests.Colorize(photo));

        output.WriteLine(LoadReport.Describe([.. first, fourth, .. others, stillRefused, again], clock.Elapsed));
        output.WriteLine($"the first four took {sent.TotalMilliseconds:0} ms; Retry-After {wait.TotalSeconds} s");
        Assert.True(sent < TimeSpan.FromSeconds(2), $"The first four requests took {sent}: a token may have come back meanwhile.");
        Assert.All(first, o => Assert.Equal(200, o.Status));
        Assert.Equal(429, fourth.Status);
        Assert.Null(fourth.ProblemFault());
        Assert.Contains("Too many requests", fourth.Body, StringComparison.Ordinal);
        Assert.Contains("30 a minute", fourth.Body, StringComparison.Ordinal);
        Assert.InRange(wait, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.All(others, o => Assert.True(o.Status == 200, $"{o.Kind}: {o.Status}"));
        Assert.Equal(429, stillRefused.Status);
        Assert.Equal(200, again.Status);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    public void ClientPartition_IsTheIPv4Address_OrTheIPv6Slash64(string address, string partition) =>
        Assert.Equal(partition, ApiRateLimiting.ClientPartition(IPAddress.Parse(address)));

    [Fact]
    public void ClientPartition_IsShared_WhenTheAddressIsUnknown() =>
        Assert.Equal("unknown", ApiRateLimiting.ClientPartition(null));

    [Theory]
    [InlineData("RateLimit:PermitsPerMinute", "0", "RateLimit:PermitsPerMinute")]
    [InlineData("RateLimit:Burst", "0", "RateLimit:Burst")]
    [InlineData("RateLimit:QueueLimit", "-1", "RateLimit:QueueLimit")]
    [InlineData("Queue:Deadline", "00:00:00", "Queue:Deadline")]
    [InlineData("Queue:Deadline", "02:00:00", "Queue:Deadline")]
    [InlineData("Admission:MemoryBudget", "0", "Admission:MemoryBudget")]
    [InlineData("Admission:MemoryBudget", "1000", "Admission:MemoryBudget")]
    [InlineData("Admission:BytesPerPixel", "0", "Admission:BytesPerPixel")]
    public void TheHost_RefusesToStart_WithAnInvalidLimit_NamingTheSetting(string key, string value, string named)
    {
        using var bad = new SettingsWebFactory(new Dictionary<string, string?> { [key] = value });

        var error = Record.Exception(() => bad.Services);

        var validation = Assert.IsType<OptionsValidationException>(Unwrap(error));
        Assert.Contains(named, validation.Message, StringComparison.Ordinal);
    }

    private static Exception? Unwrap(Exception? error)
    {
        while (error is AggregateException { InnerExceptions.Count: 1 } aggregate)
            error = aggregate.InnerException;
        return error;
    }

    private static byte[] Photo()
    {
        using var grey = TestImages.Grey(64, 48);
        return TestImages.Encode(grey, ".png");
    }
}
