using System.Net;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Api;

/// <summary>One job at a time and one waiting.</summary>
public sealed class SmallQueueWebFactory() : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "1",
});

/// <summary>The API's place in the work queue it shares with the page.</summary>
public sealed class ColorizeApiQueueTests(SmallQueueWebFactory factory) : IClassFixture<SmallQueueWebFactory>
{
    private static byte[] GreyPng()
    {
        using var grey = TestImages.Grey(64, 48);
        return TestImages.Encode(grey, ".png");
    }

    [Fact]
    public async Task PostColorize_Returns429WithRetryAfter_WhenTheQueueIsFull_AndWorksAgainOnceItDrains()
    {
        using var client = await factory.CreateReadyClientAsync();
        var queue = factory.Queue;

        HttpResponseMessage refused;
        using (queue.Enter()) // running
        using (queue.Enter()) // waiting: the line is full
            refused = await client.PostColorizeAsync(GreyPng());

        using (refused)
        {
            await ApiRequests.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {refused.Headers.RetryAfter}");
        }
        using var accepted = await client.PostColorizeAsync(GreyPng());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task PostColorize_LeavesTheQueue_WithoutRunningTheNetwork_WhenTheClientGoesAway()
    {
        using var client = await factory.CreateReadyClientAsync();
        var queue = factory.Queue;
        var engine = factory.Models.Engine!;

        using (queue.Enter())
        {
            long passes = engine.ForwardPassCount;
            using var gone = new CancellationTokenSource();
            var request = client.PostColorizeAsync(GreyPng(), ct: gone.Token);
            await Waiting.UntilAsync(() => queue.Waiting == 1, "the request to take its place in line");

            await gone.CancelAsync();

            // Checked while the running ticket is still held: only the request's own cancellation can free its place.
            await Waiting.UntilAsync(() => queue.Waiting == 0, "the abandoned request to leave the line");
            var error = await Record.ExceptionAsync(() => request.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.IsAssignableFrom<OperationCanceledException>(error);
            Assert.Equal(passes, engine.ForwardPassCount);
        }
        Assert.Equal(0, queue.Running);
    }
}
