using Colorizer.Core.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colorizer.Core.Tests.Models;

/// <summary>
/// What a download that fails everywhere writes to the log, with the downloader wired as the hosts wire it
/// (<see cref="ColorizerServiceCollectionExtensions.AddColorizerCore"/>, so the HTTP client factory's own loggers
/// are in play): one warning per source naming it and the reason, and no stack trace above Debug.
/// </summary>
public sealed class DownloadLoggingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "colorizer-download-logging-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    [Fact(Timeout = 20_000)]
    public async Task EverySourceFailing_LogsOneWarningPerSource_AndStackTracesOnlyAtDebug()
    {
        await using var server = await LocalServer.StartAsync(app =>
            app.MapGet("/broken", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable)));
        Uri refused = new($"http://127.0.0.1:{ModelDownloaderTests.UnusedPort()}/weights");
        var release = new WeightsRelease("weights.caffemodel", 1000, new string('a', 64), [server.Url("/missing"), server.Url("/broken"), refused]);
        var log = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(log));
        services.AddColorizerCore();
        services.Configure<ModelDownloaderOptions>(options => options.RetryDelay = TimeSpan.FromMilliseconds(1));
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<ModelDownloadException>(
            () => provider.GetRequiredService<ModelDownloader>().EnsureWeightsAsync(_directory, release));

        var visible = log.Entries.Where(e => e.Level >= LogLevel.Information).ToList();
        foreach (var (source, reason) in new[] { (release.Sources[0], "HTTP 404"), (release.Sources[1], "HTTP 503"), (refused, "Connection refused") })
        {
            var warning = Assert.Single(visible, e => e.Level >= LogLevel.Warning && e.Message.Contains(source.AbsoluteUri, StringComparison.Ordinal));
            Assert.Contains(reason, warning.Message, StringComparison.Ordinal);
        }
        Assert.Equal(3, visible.Count(e => e.Level >= LogLevel.Warning));
        Assert.All(visible, e =>
        {
            Assert.Null(e.Exception);
            Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal); // one line each, no stack frames
        });
        // The HTTP client's own request logging would repeat every failure with its stack trace.
        Assert.DoesNotContain(log.Entries, e => e.Category.StartsWith("System.Net.Http", StringComparison.Ordinal));
        // The details are not lost: Debug has the refused connection's exception.
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Debug && e.Exception is HttpRequestException
                                          && e.Message.Contains(refused.AbsoluteUri, StringComparison.Ordinal));

        // The error carries the facts a host words its message from.
        var missing = Assert.IsType<MissingWeights>(error.MissingWeights);
        Assert.Equal(MissingWeightsCause.DownloadFailed, missing.Cause);
        Assert.Equal(Path.Combine(_directory, "weights.caffemodel"), missing.TargetPath);
        Assert.Equal(release.Sources, missing.Failures.Select(f => f.Source));
        Assert.StartsWith("HTTP 404", missing.Failures[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("HTTP 503", missing.Failures[1].Reason, StringComparison.Ordinal);
    }
}
