using System.Diagnostics;
using System.Net;
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
        await using var app = await published.StartAsync(environment: []);
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        using var image = TestImages.Gradient(64, 48, 20, 230);
        using var colorized = await client.PostColorizeAsync(TestImages.Encode(image, ".png"));
        Assert.Equal(HttpStatusCode.OK, colorized.StatusCode);
        Assert.Equal("image/png", colorized.Content.Headers.ContentType?.MediaType);
        byte[] png = await colorized.Content.ReadAsByteArrayAsync();
        Assert.True(png.AsSpan().StartsWith(Png.Signature));

        using var bomb = await client.PostColorizeAsync(Png.Bomb(40_000, 40_000));
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
        await using var app = await published.StartAsync(environment: new()
        {
            ["OPENCV_IO_MAX_IMAGE_WIDTH"] = "100000",
            ["OPENCV_IO_MAX_IMAGE_HEIGHT"] = "1000",
            // OpenCV's own parser throws on a sign when it loads, which would take the process down.
            ["OPENCV_IO_MAX_IMAGE_PIXELS"] = "+1000",
        }, "--Colorizer:MaxSide=4000");
        using var client = app.CreateClient(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
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

    /// <summary>
    /// Starts the published app (<see cref="WebAppProcess"/>) with exactly <paramref name="environment"/> as its
    /// environment, the tiny model, downloads off and storage folders of its own under <c>artifacts/</c> as command-line
    /// settings, then <paramref name="arguments"/>.
    /// </summary>
    public Task<WebAppProcess> StartAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        int port = WebAppProcess.FreePort();
        string folder = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WebAppProcess.StartAsync(Dll, port,
        [
            $"--Colorizer:ModelsDirectory={ModelsDirectory}", "--Colorizer:DownloadWeights=false",
            $"--TempFiles:Directory={RepositoryPaths.Artifacts("tests", "published-web-temp", folder)}",
            $"--Gallery:StorageDirectory={RepositoryPaths.Artifacts("tests", "published-web-galleries", folder)}",
            $"--Video:StorageDirectory={RepositoryPaths.Artifacts("tests", "published-web-videos", folder)}",
            .. arguments,
        ], environment, inheritEnvironment: false);
    }

    public Task DisposeAsync()
    {
        _models.Dispose();
        return Task.CompletedTask;
    }
}
