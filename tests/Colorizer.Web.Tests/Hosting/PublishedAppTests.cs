using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>
/// The published app started the plain way (<c>dotnet Colorizer.Web.dll</c>, as a systemd unit does) with an empty
/// environment: no launch profile, no OpenCV variables, no <c>MALLOC_ARENA_MAX</c>. It must set its own protections.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PublishedAppTests(PublishedApp published) : IClassFixture<PublishedApp>
{
    [Fact]
    public async Task BareStart_WithAnEmptyEnvironment_IsHealthyColorizesAndRefusesAHeaderBomb()
    {
        await using var app = await RunningApp.StartAsync(published, environment: []);

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health")).StatusCode);

        using var image = TestImages.Gradient(64, 48, 20, 230);
        using var colorized = await app.Client.PostColorizeAsync(TestImages.Encode(image, ".png"));
        Assert.Equal(HttpStatusCode.OK, colorized.StatusCode);
        Assert.Equal("image/png", colorized.Content.Headers.ContentType?.MediaType);
        byte[] png = await colorized.Content.ReadAsByteArrayAsync();
        Assert.True(png.AsSpan().StartsWith(Png.Signature));

        using var bomb = await app.Client.PostColorizeAsync(Png.Bomb(40_000, 40_000));
        var problem = await ApiRequests.AssertProblemAsync(bomb, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("40000×40000", problem.Detail, StringComparison.Ordinal);

        // The self-test saw OpenCV's own limits in force, set by the app from its configuration.
        string log = app.Log;
        Assert.Contains("OPENCV_IO_MAX_IMAGE_WIDTH=16384 (from the configuration)", log, StringComparison.Ordinal);
        Assert.Contains("OpenCV refuses images over 50,000,000 pixels or 16,384×16,384", log, StringComparison.Ordinal);
        Assert.Contains("Native heap: glibc's malloc arenas capped at 2.", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LooserLimitsInTheEnvironment_AreTightenedToTheConfiguration_AndTheLogSaysSo()
    {
        await using var app = await RunningApp.StartAsync(published, environment: new()
        {
            ["OPENCV_IO_MAX_IMAGE_WIDTH"] = "100000",
            ["OPENCV_IO_MAX_IMAGE_HEIGHT"] = "1000",
            // OpenCV's own parser throws on a sign when it loads, which would take the process down.
            ["OPENCV_IO_MAX_IMAGE_PIXELS"] = "+1000",
        }, "--Colorizer:MaxSide=4000");

        Assert.Equal(HttpStatusCode.OK, (await app.Client.GetAsync("/health")).StatusCode);
        string log = app.Log;
        Assert.Contains("OPENCV_IO_MAX_IMAGE_WIDTH was '100000' in the environment, looser than the configuration: tightened to 4000", log, StringComparison.Ordinal);
        Assert.Contains("OPENCV_IO_MAX_IMAGE_PIXELS was '+1000' in the environment, not a size OpenCV reads: tightened to 50000000", log, StringComparison.Ordinal);
        // A tighter value is kept: OpenCV then refuses less than the header check lets through, never more.
        Assert.Contains("OPENCV_IO_MAX_IMAGE_HEIGHT=1000 kept from the environment", log, StringComparison.Ordinal);
        Assert.Contains("OpenCV refuses images over 50,000,000 pixels or 4,000×1,000", log, StringComparison.Ordinal);
    }
}

/// <summary>The web app published once, Release, into <c>artifacts/</c>, with a tiny model beside it.</summary>
public sealed class PublishedApp : IAsyncLifetime
{
    private readonly TemporaryDirectory _models = new();

    /// <summary>The published <c>Colorizer.Web.dll</c>.</summary>
    public string Dll { get; private set; } = "";

    /// <summary>A folder with a tiny generated model.</summary>
    public string ModelsDirectory => _models.Path;

    public async Task InitializeAsync()
    {
        SyntheticModels.WriteTiny(_models.Path, TinyModel.ConstantBin(SyntheticModels.BinAt(20, 40)));
        string output = RepositoryPaths.Artifacts("tests", "published-web");
        var publish = new ProcessStartInfo(RepositoryPaths.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryPaths.Root,
        };
        foreach (string argument in new[] { "publish", "src/Colorizer.Web", "-c", "Release", "-o", output, "--nologo", "-nodeReuse:false" })
            publish.ArgumentList.Add(argument);
        // The test host inherits `dotnet test`'s MSBuild variables; a nested build must find its own.
        foreach (string key in publish.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            publish.Environment.Remove(key);
        using var process = Process.Start(publish)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");
        Dll = Path.Combine(output, "Colorizer.Web.dll");
        Assert.True(File.Exists(Dll), Dll);
    }

    public Task DisposeAsync()
    {
        _models.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The published app as a child process on a free loopback port, healthy or failed within a minute.</summary>
internal sealed class RunningApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private RunningApp(Process process, HttpClient client)
    {
        _process = process;
        Client = client;
    }

    public HttpClient Client { get; }

    /// <summary>Everything the app printed so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>
    /// Starts the app from its own folder with exactly <paramref name="environment"/> as its environment and the models
    /// and address as command-line settings, then waits for <c>/health</c> to answer 200.
    /// </summary>
    public static async Task<RunningApp> StartAsync(PublishedApp published, Dictionary<string, string> environment, params string[] arguments)
    {
        int port = FreePort();
        var start = new ProcessStartInfo(RepositoryPaths.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(published.Dll)!,
        };
        start.Environment.Clear();
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        foreach (string argument in new[]
                 {
                     published.Dll, "--urls", $"http://127.0.0.1:{port}",
                     $"--Colorizer:ModelsDirectory={published.ModelsDirectory}", "--Colorizer:DownloadWeights=false",
                     $"--TempFiles:Directory={RepositoryPaths.Artifacts("tests", "published-web-temp", port.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                     $"--Gallery:StorageDirectory={RepositoryPaths.Artifacts("tests", "published-web-galleries", port.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                     $"--Video:StorageDirectory={RepositoryPaths.Artifacts("tests", "published-web-videos", port.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        var process = new Process { StartInfo = start };
        var app = new RunningApp(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) });
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        if (await AppHealth.WaitUntilHealthyAsync(app.Client, process, TimeSpan.FromSeconds(60)))
            return app;
        string log = app.Log;
        await app.DisposeAsync();
        Assert.Fail($"The published app did not become healthy within 60 s (exited: {process.HasExited}). Its log:\n{log}");
        return app;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
