using System.Net;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Hosting;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>The app with its temp folder and settings given by the test (one job at a time, one waiting).</summary>
public sealed class TempFolderWebFactory(string tempFolder) : ColorizerWebFactory(new Dictionary<string, string?>
{
    ["TempFiles:Directory"] = tempFolder,
    ["TempFiles:LeftoverAge"] = "00:10:00",
    ["Queue:Concurrency"] = "1",
    ["Queue:Capacity"] = "1",
});

/// <summary>
/// The app's temp files live in one folder; a crash's leftovers there are deleted at the next start, and a graceful
/// stop deletes what is still open and cancels the work in flight (API requests and the page's sessions alike).
/// Each test starts and stops its own app.
/// </summary>
public sealed class ShutdownAndTempFilesTests : IDisposable
{
    private readonly TemporaryDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Leftover(string name, TimeSpan age, bool directory = false)
    {
        string path = _folder.File(name);
        if (directory)
        {
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "part.tmp"), "x");
            Directory.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        }
        else
        {
            File.WriteAllText(path, "left over");
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
        }
        return path;
    }

    [Fact]
    public void AtStart_LeftoversOlderThanTheCutoffAreDeleted_YoungerOnesKept()
    {
        string oldZip = Leftover("colorizer-0123.zip", TimeSpan.FromHours(3));
        string oldUpload = Leftover("ASPNETCORE_4567.tmp", TimeSpan.FromMinutes(11));
        string oldFolder = Leftover("colorizer-partial", TimeSpan.FromDays(2), directory: true);
        string young = Leftover("colorizer-89ab.zip", TimeSpan.FromMinutes(2));

        using (var factory = new TempFolderWebFactory(_folder.Path))
        {
            _ = factory.Services; // starts the app
            Assert.Equal(_folder.Path, factory.Services.GetRequiredService<AppTempFiles>().Directory);

            Assert.False(File.Exists(oldZip), "a 3-hour-old leftover was kept");
            Assert.False(File.Exists(oldUpload), "an 11-minute-old leftover was kept");
            Assert.False(Directory.Exists(oldFolder), "a 2-day-old leftover folder was kept");
            Assert.True(File.Exists(young), "a 2-minute-old file (perhaps another instance's) was deleted");
        }
        Assert.True(File.Exists(young), "a graceful stop deleted a file that was not its own");
    }

    [Fact]
    public void AtStart_TheTempFolderIsCreated()
    {
        string folder = _folder.File("not-yet");

        using var factory = new TempFolderWebFactory(folder);
        _ = factory.Services;

        Assert.True(Directory.Exists(folder));
    }

    [Fact]
    public async Task AGracefulStop_DeletesTheTempFilesStillOpen_AndTheirStreamsStillWork()
    {
        FileStream zip;
        using (var factory = new TempFolderWebFactory(_folder.Path))
        {
            var files = factory.Services.GetRequiredService<AppTempFiles>();
            zip = files.Create(".zip"); // a gallery's ZIP, still being downloaded
            await zip.WriteAsync(new byte[100_000]);
            using (var closed = files.Create(".zip"))
                await closed.WriteAsync(new byte[10]);
            Assert.Equal([zip.Name], files.OpenFiles);
            Assert.StartsWith(_folder.Path + Path.DirectorySeparatorChar, zip.Name, StringComparison.Ordinal);
            Assert.Single(Directory.GetFiles(_folder.Path));
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_folder.Path));
        await using (zip)
        {
            // Deleted, not yanked away: the download that was still reading it finishes.
            zip.Position = 0;
            Assert.Equal(100_000, await zip.ReadAsync(new byte[200_000]));
        }
    }

    [Fact]
    public async Task AGracefulStop_AnswersAnApiRequestWaitingInTheQueue_With503()
    {
        using var factory = new TempFolderWebFactory(_folder.Path);
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(32, 24);
        var queue = factory.Queue;
        using var running = queue.Enter(); // the one job slot is taken

        var request = client.PostColorizeAsync(TestImages.Encode(grey, ".png"));
        await Waiting.UntilAsync(() => queue.Waiting == 1, "the request to wait in line");
        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var response = await request.WaitAsync(TimeSpan.FromSeconds(10));
        var problem = await ApiRequests.AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("stopped", problem.Detail, StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {response.Headers.RetryAfter}");
        Assert.Equal(0, queue.Waiting);
    }

    [Fact]
    public async Task AGracefulStop_CancelsThePagesWorkInFlight()
    {
        using var factory = new TempFolderWebFactory(_folder.Path);
        await factory.Models.GetEngineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        using var scope = factory.Services.CreateScope();
        var session = scope.ServiceProvider.GetRequiredService<ColorizationSession>();
        using var grey = TestImages.Grey(32, 24);
        var queue = factory.Queue;
        using var running = queue.Enter();

        var item = session.Add("photo.png");
        var work = session.ColorizeAsync(item, TestImages.Encode(grey, ".png"));
        await Waiting.UntilAsync(() => item.Status == GalleryItemStatus.Waiting, "the photo to wait in line");
        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await work.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(GalleryItemStatus.Cancelled, item.Status);
        Assert.Equal(0, queue.Waiting);
    }
}
