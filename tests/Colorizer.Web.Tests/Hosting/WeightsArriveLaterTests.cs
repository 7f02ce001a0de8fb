using System.Net;
using Colorizer.Core.Models;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>
/// Weights copied into the models folder while the app runs, after it failed to load without them: the app notices
/// them and becomes ready without a restart, and a copy caught halfway does not leave it broken.
/// </summary>
public sealed class WeightsArriveLaterTests(WeightsArriveLaterWebFactory factory) : IClassFixture<WeightsArriveLaterWebFactory>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task WeightsCopiedIn_AreLoaded_EvenAfterAHalfCopiedFileFailed()
    {
        await factory.WaitForModelAsync(ModelStatus.Failed);
        using var client = factory.CreateApiClient();
        using (var before = await client.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        Assert.Equal(factory.WeightsPath, factory.Models.State.MissingWeights?.TargetPath);

        // The copy stalls at two thirds: the app tries that file, finds it truncated, and stays failed.
        int part = factory.Weights.Length * 2 / 3;
        await File.WriteAllBytesAsync(factory.WeightsPath, factory.Weights[..part]);
        await Waiting.UntilAsync(
            () => factory.Models.State is { Status: ModelStatus.Failed, Message: { } message } && message.Contains("truncated", StringComparison.Ordinal),
            "the half-copied file to be tried and refused", Bound);
        using (var halfway = await client.GetAsync("/health"))
            Assert.Equal(HttpStatusCode.ServiceUnavailable, halfway.StatusCode);

        // The copy completes: the app loads it, without a restart and without a request asking for it.
        await using (var file = new FileStream(factory.WeightsPath, FileMode.Append))
            await file.WriteAsync(factory.Weights.AsMemory(part));
        await Waiting.UntilAsync(() => factory.Models.State.Status == ModelStatus.Ready, "the completed file to be loaded", Bound);

        using var after = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }
}
