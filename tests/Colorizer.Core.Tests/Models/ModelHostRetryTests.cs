using System.Collections.Concurrent;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colorizer.Core.Tests.Models;

/// <summary>
/// <see cref="ModelHost"/> after a failed load: what it tells (facts for the UI, one log line), and how it tries
/// again (on demand, one attempt at a time, and when the model files change, never on a half-written file twice).
/// Downloads are off throughout: nothing here leaves the machine.
/// </summary>
public sealed class ModelHostRetryTests : IDisposable
{
    private readonly TemporaryDirectory _models = new();
    private readonly CapturingLoggerProvider _log = new();
    private readonly ServiceProvider _services;
    private readonly byte[] _weights;
    private readonly ConcurrentQueue<ModelStatus> _states = new();

    public ModelHostRetryTests()
    {
        // The tiny model's description and bin centres stay; its weights are taken away, to come back later.
        var folder = SyntheticModels.WriteTiny(_models.Path, TinyModel.ConstantBin(100));
        _weights = File.ReadAllBytes(folder.WeightsPath);
        File.Delete(folder.WeightsPath);
        WeightsPath = folder.WeightsPath;

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(_log));
        services.AddColorizerCore(options =>
        {
            options.ModelsDirectory = _models.Path;
            options.DownloadWeights = false;
            options.WarmUp = false;
        });
        _services = services.BuildServiceProvider();
        Host = _services.GetRequiredService<ModelHost>();
        Host.StateChanged += state => _states.Enqueue(state.Status);
    }

    private ModelHost Host { get; }

    private string WeightsPath { get; }

    private IEnumerable<CapturedLogEntry> HostLog => _log.Entries.Where(e => e.Category == typeof(ModelHost).FullName);

    public void Dispose()
    {
        _services.Dispose();
        _models.Dispose();
    }

    [Fact]
    public async Task MissingWeights_FailWithTheFactsForTheUi_AndOneErrorLineWithoutAStackTrace()
    {
        await FailAsync();

        var missing = Host.State.MissingWeights;
        Assert.NotNull(missing);
        Assert.Equal(MissingWeightsCause.DownloadSwitchedOff, missing.Cause);
        Assert.Equal(WeightsPath, missing.TargetPath);
        Assert.Equal(WeightsRelease.Official, missing.Release);
        Assert.Empty(missing.Failures);

        var error = Assert.Single(HostLog, e => e.Level > LogLevel.Information);
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Null(error.Exception);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(WeightsPath, error.Message, StringComparison.Ordinal);
        Assert.Contains($"echo '{WeightsRelease.Official.Sha256}  {WeightsPath}.download' | sha256sum -c", error.Message, StringComparison.Ordinal);
        // The exception is still there for whoever turns on Debug.
        Assert.Contains(HostLog, e => e.Level == LogLevel.Debug && e.Exception is ModelFilesException);
    }

    [Fact]
    public async Task WeightsThatAppear_AreLoaded_ButAHalfWrittenFileIsNotTriedTwice()
    {
        await FailAsync();
        Assert.False(await Host.RetryIfFilesChangedAsync(TimeSpan.Zero), "tried again with nothing new in the folder");

        // A copy caught halfway: tried once, fails as truncated, and is left alone until it changes.
        await File.WriteAllBytesAsync(WeightsPath, _weights[..(_weights.Length * 2 / 3)]);
        Assert.True(await Host.RetryIfFilesChangedAsync(TimeSpan.Zero));
        Assert.Equal(ModelStatus.Failed, Host.State.Status);
        Assert.Contains("truncated", Host.State.Message, StringComparison.Ordinal);
        Assert.Null(Host.State.MissingWeights);
        int attempts = Attempts;
        Assert.False(await Host.RetryIfFilesChangedAsync(TimeSpan.Zero), "the same broken file was tried again");
        Assert.Equal(attempts, Attempts);

        // The copy completes: loaded.
        await using (var file = new FileStream(WeightsPath, FileMode.Append))
            await file.WriteAsync(_weights.AsMemory(_weights.Length * 2 / 3));
        Assert.True(await Host.RetryIfFilesChangedAsync(TimeSpan.Zero));
        Assert.Equal(ModelStatus.Ready, Host.State.Status);
        Assert.NotNull(Host.Engine);
        Assert.False(await Host.RetryIfFilesChangedAsync(TimeSpan.Zero), "a ready model was loaded again");
    }

    [Fact]
    public async Task AFileStillBeingWritten_WaitsUntilItHasSettled()
    {
        await FailAsync();
        await File.WriteAllBytesAsync(WeightsPath, _weights[..1000]);

        var check = Host.RetryIfFilesChangedAsync(TimeSpan.FromSeconds(2));
        await Task.Delay(100);
        await File.WriteAllBytesAsync(WeightsPath, _weights);

        Assert.False(await check, "a file that changed while settling was loaded");
        Assert.Equal(ModelStatus.Failed, Host.State.Status);
        Assert.NotNull(Host.State.MissingWeights); // still the first failure: nothing was loaded
        Assert.True(await Host.RetryIfFilesChangedAsync(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(ModelStatus.Ready, Host.State.Status);
    }

    [Fact]
    public async Task ConcurrentRetries_MakeOneAttempt()
    {
        await FailAsync();
        await File.WriteAllBytesAsync(WeightsPath, _weights);
        int attempts = Attempts;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(Host.RetryAsync)));

        Assert.Equal(ModelStatus.Ready, Host.State.Status);
        Assert.Equal(attempts + 1, Attempts);
        Assert.Single(HostLog, e => e.Message.StartsWith("Loaded the colorization model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetryAfterAFailure_StartsAFreshAttempt_EvenWhenAskedAsTheFailureIsAnnounced()
    {
        // Whoever hears of the failure and retries at once must not join the attempt that is just ending.
        var retried = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnFailed(ModelState state)
        {
            if (state.Status == ModelStatus.Failed && !retried.Task.IsCompleted)
            {
                File.WriteAllBytes(WeightsPath, _weights);
                retried.SetResult(Host.RetryAsync());
            }
        }
        Host.StateChanged += OnFailed;

        await Assert.ThrowsAsync<ModelFilesException>(() => Host.GetEngineAsync());
        await (await retried.Task).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ModelStatus.Ready, Host.State.Status);
    }

    /// <summary>Attempts that have ended: each ends in one change to Failed or Ready.</summary>
    private int Attempts => _states.Count(s => s is ModelStatus.Failed or ModelStatus.Ready);

    private async Task FailAsync()
    {
        await Assert.ThrowsAsync<ModelFilesException>(() => Host.GetEngineAsync());
        Assert.Equal(ModelStatus.Failed, Host.State.Status);
    }
}
