using System.Net;
using System.Net.Sockets;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Colorizer.Web.Tests.Load;

/// <summary>
/// Over Kestrel on loopback, with the default queue (two running, sixteen waiting), deadline and backend (ONNX
/// Runtime), and a full-size model (the release's architecture with seeded random weights): a 1024-pixel render then
/// costs what it costs with the real weights, about twenty default ones.
/// </summary>
public sealed class FairnessWebFactory : ColorizerWebFactory
{
    public FairnessWebFactory()
        : base(new Dictionary<string, string?> { ["Colorizer:Backend"] = "onnx" }, withWeights: false, kestrel: true) =>
        SyntheticModels.WriteFullSize(ModelsDirectory, seed: 16);
}

/// <summary>One client flooding expensive requests within its rate limit must not starve another's ordinary ones.</summary>
[Collection(LoadCollection.Name)]
[Trait("Category", "Load")]
public sealed class FairnessTests(FairnessWebFactory factory, ITestOutputHelper output) : IClassFixture<FairnessWebFactory>
{
    // A client whose requests leave from another loopback address, so the server sees a second client.
    private static HttpClient ClientFrom(string address, Uri server)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromSeconds(120) };
    }

    private static byte[] Png(int width, int height)
    {
        using var image = new Mat(height, width, MatType.CV_8UC1);
        Cv2.Randu(image, OpenCvSharp.Scalar.All(0), OpenCvSharp.Scalar.All(255));
        return TestImages.Encode(image, ".png", (int)ImwriteFlags.PngCompression, 1);
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    [Fact]
    public async Task AnotherClientsOrdinaryRequests_KeepSucceedingFast_WhileOneFloodsExpensiveOnes()
    {
        using var setup = await factory.CreateReadyClientAsync();
        var server = setup.BaseAddress!;
        using var flooder = ClientFrom("127.0.0.2", server);
        using var ordinary = ClientFrom("127.0.0.3", server);
        byte[] small = Png(640, 480), large = Png(1600, 1200);

        // Idle: the ordinary client alone (after one to warm the path up).
        await Outcome.SendAsync(ordinary, "warm-up", LoadRequests.Colorize(small));
        var idle = new List<TimeSpan>();
        for (int i = 0; i < 9; i++)
            idle.Add((await Outcome.SendAsync(ordinary, "idle", LoadRequests.Colorize(small))).Latency);

        // Four parallel loops of the most expensive request there is, within the rate limit the factory raised.
        using var stop = new CancellationTokenSource();
        int expensiveDone = 0;
        var flood = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            // When the test is over, the flood's requests go away (status 0), and the server lets go of their work.
            while (!stop.IsCancellationRequested)
            {
                if ((await Outcome.SendAsync(flooder, "expensive", LoadRequests.Colorize(large, "renderSize=1024"), stop.Token)).Status == 200)
                    Interlocked.Increment(ref expensiveDone);
            }
        })).ToList();
        await Waiting.UntilAsync(() => factory.Queue.Running >= 1 && factory.Queue.Waiting >= 2, "the flood to fill the line", TimeSpan.FromSeconds(30));

        var loaded = new List<Outcome>();
        for (int i = 0; i < 10; i++)
            loaded.Add(await Outcome.SendAsync(ordinary, "under the flood", LoadRequests.Colorize(small)));
        // Fair is not starving the flooder either: its expensive work still gets done.
        await Waiting.UntilAsync(() => Volatile.Read(ref expensiveDone) > 0, "an expensive request to finish", TimeSpan.FromSeconds(180));
        stop.Cancel();
        await Task.WhenAll(flood);

        var idleMedian = Median(idle);
        var succeeded = loaded.Where(r => r.Status == 200).ToList();
        var loadedMedian = Median(succeeded.Select(r => r.Latency).DefaultIfEmpty(TimeSpan.MaxValue));
        output.WriteLine($"idle median {idleMedian.TotalMilliseconds:0} ms; under the flood {succeeded.Count}/10 succeeded, " +
            $"median {loadedMedian.TotalMilliseconds:0} ms; {expensiveDone} expensive requests done meanwhile");
        Assert.True(succeeded.Count >= 9, $"{succeeded.Count} of 10 ordinary requests succeeded: {LoadReport.StatusCounts(loaded)}");
        Assert.True(loadedMedian <= 3 * idleMedian,
            $"the ordinary client's median went from {idleMedian.TotalMilliseconds:0} ms to {loadedMedian.TotalMilliseconds:0} ms");
        await Waiting.UntilAsync(() => factory.Queue.Running == 0 && factory.Queue.Waiting == 0, "the flood's work to end", TimeSpan.FromSeconds(120));
    }
}
