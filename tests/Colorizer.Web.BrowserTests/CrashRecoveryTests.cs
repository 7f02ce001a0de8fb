using System.Net;
using System.Text.Json;
using Colorizer.Core.IO;
using Colorizer.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using OpenCvSharp;

namespace Colorizer.Web.BrowserTests;

/// <summary>
/// The server killed with SIGKILL in the middle of page uploads and renders, API requests, a ZIP download and a video
/// job, then started again on the same folders: nothing half-written is kept, the galleries' and the video jobs'
/// indexes and files agree, the tab's gallery comes back with the photos that were finished, the video job carries on
/// from its last finished segment to a whole result, and the app is healthy.
/// </summary>
[Trait("Category", "Browser")]
public sealed class CrashRecoveryTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IDisposable
{
    private readonly TemporaryDirectory _models = new(), _galleries = new(), _temp = new(), _videos = new(), _photos = new();

    [Fact]
    public async Task KilledMidWork_RestartsClean_AndTheGalleryComesBack()
    {
        SyntheticModels.WriteTiny(_models.Path, TinyModel.LightnessDependent(SyntheticModels.BinAt(20, 40), SyntheticModels.BinAt(-10, -40), slope: 0.08f));
        int port = WebAppProcess.FreePort();
        string small = Photo("small.png", 320, 240), large = Photo("large.png", 2400, 1800);
        const int videoFrames = 360;
        string video = Path.Combine(_photos.Path, "film.avi");
        TestVideos.Write(video, videoFrames, 320, 240, 24, TestVideos.Panning(320, 240, 1, noise: 2));

        var first = await StartAppAsync(port);
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { AcceptDownloads = true });
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync(first.Address);
            await page.WaitForSelectorAsync("body[data-circuit=ready]", new PageWaitForSelectorOptions { Timeout = 30_000 });
            var cards = page.Locator("[data-testid=gallery-item]");
            await page.Locator("#upload-zone input[type=file]").SetInputFilesAsync([small, small, small]);
            await Assertions.Expect(page.Locator("[data-testid=gallery-item][data-status=done]")).ToHaveCountAsync(3, new() { Timeout = 60_000 });
            // Written to disk: three photos, an upload and a network output each.
            await WaitForAsync(() => Directory.EnumerateFiles(_galleries.Path, "*", SearchOption.AllDirectories).Count(f => !f.EndsWith(AtomicFile.TemporaryMarker, StringComparison.Ordinal)) >= 3 + 2 * 3,
                "the three photos to be written");

            // A video job in a tab of its own, killed once it has finished a segment or two.
            var videoPage = await context.NewPageAsync();
            await videoPage.GotoAsync(first.Address.TrimEnd('/') + "/video");
            await videoPage.WaitForSelectorAsync("body[data-circuit=ready]", new PageWaitForSelectorOptions { Timeout = 30_000 });
            await videoPage.Locator("#video-upload-zone input[type=file]").SetInputFilesAsync(video);
            await videoPage.WaitForSelectorAsync("[data-testid=video-job][data-state=running]", new PageWaitForSelectorOptions { Timeout = 60_000 });
            string jobAddress = videoPage.Url;
            await WaitForAsync(() => FinishedSegments() >= 1, "the video job to finish a segment");

            // Now keep it busy: large page uploads and renders, API requests, a ZIP download of the gallery.
            await page.Locator("#upload-zone input[type=file]:not(.d-none)").SetInputFilesAsync([large, large, large, large]);
            using var api = new HttpClient { BaseAddress = new Uri(first.Address), Timeout = TimeSpan.FromSeconds(60) };
            byte[] largeBytes = await File.ReadAllBytesAsync(large);
            var requests = Enumerable.Range(0, 4).Select(_ => PostAsync(api, largeBytes)).ToList();
            await WaitForAsync(() => cards.CountAsync().GetAwaiter().GetResult() == 7, "the large uploads' cards");
            // The ZIP of the finished photos, a large one among them, is written to a temporary file: killed while it is,
            // with the other large photos still being colorized, so the sweep has something to do.
            await WaitForAsync(() => page.Locator("[data-testid=gallery-item][data-status=done]").CountAsync().GetAwaiter().GetResult() >= 4, "a large photo to be done");
            await page.Locator("[data-testid=download-all]").ClickAsync();
            for (var until = DateTime.UtcNow.AddSeconds(30); !Directory.EnumerateFileSystemEntries(_temp.Path).Any() && DateTime.UtcNow < until;)
                await Task.Delay(5);

            first.Kill();
            await Task.WhenAll(requests);
            var leftovers = Directory.GetFileSystemEntries(_temp.Path);

            await using var second = await StartAppAsync(port);
            using var client = new HttpClient { BaseAddress = new Uri(second.Address) };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

            // Nothing half-written is kept, and the index and the files agree both ways.
            Assert.Empty(Directory.EnumerateFiles(_galleries.Path, "*" + AtomicFile.TemporaryMarker, SearchOption.AllDirectories));
            var named = IndexedFiles();
            Assert.True(named.Count >= 6, $"the three finished photos' files should be indexed; {named.Count} are");
            foreach (string file in named)
                Assert.True(File.Exists(file), $"the index names {file}, which is missing");
            var onDisk = Directory.EnumerateFiles(_galleries.Path, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetDirectoryName(f) != _galleries.Path).ToHashSet();
            Assert.Equal(named.Order(), onDisk.Order());
            // The killed app's temporary files (the ZIP being written, upload buffers) are swept.
            Assert.NotEmpty(leftovers);
            await WaitForAsync(() => leftovers.All(f => !Path.Exists(f)), "the killed app's temporary files to be swept");

            // The video job's index and folders agree; the job carries on and ends with every frame, keeping what was done.
            var jobFolders = VideoJobFolders();
            Assert.Single(jobFolders);
            Assert.Equal(jobFolders.Order(), Directory.GetDirectories(Path.Combine(_videos.Path, "jobs")).Order());
            await videoPage.GotoAsync(jobAddress);
            await videoPage.WaitForSelectorAsync("[data-testid=video-job][data-state=done]", new PageWaitForSelectorOptions { Timeout = 180_000 });
            Assert.Matches("^[0-9]+ frames were kept from before a restart", (await videoPage.Locator("[data-testid=video-resumed]").TextContentAsync())!.Trim());
            string resultPath = Path.Combine(jobFolders.Single(), "colorized.mp4");
            var (resultFrames, fps) = TestVideos.ReadAll(resultPath);
            try
            {
                Assert.Equal(videoFrames, resultFrames.Count);
                Assert.Equal(24, fps, 0.01);
            }
            finally
            {
                resultFrames.ForEach(f => f.Dispose());
            }

            // The tab reloads onto the restarted server: its finished photos are back, every card is finished.
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("body[data-circuit=ready]", new PageWaitForSelectorOptions { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("[data-testid=gallery-item][data-status=done]")).Not.ToHaveCountAsync(0, new() { Timeout = 15_000 });
            int back = await cards.CountAsync();
            Assert.True(back >= 3, $"the three photos finished before the kill should be back; {back} cards are");
            Assert.Equal(back, await page.Locator("[data-testid=gallery-item][data-status=done]").CountAsync());
            Assert.Equal(back, named.Count / 2);
            var download = await page.RunAndWaitForDownloadAsync(() => cards.Last.Locator("[data-testid=download-png]").ClickAsync());
            using var image = Cv2.ImRead(await download.PathAsync(), ImreadModes.Color);
            Assert.Equal((320, 240), (image.Cols, image.Rows));
        }
        finally
        {
            await context.CloseAsync();
            await first.DisposeAsync();
        }
    }

    /// <summary>The web app from the test's own folder as a child process (Development, so its static assets come from the build), on a given port.</summary>
    private Task<WebAppProcess> StartAppAsync(int port) => WebAppProcess.StartAsync(WebAppProcess.BuiltDll, port, Settings(), new Dictionary<string, string>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        // As in the Docker image: ASP.NET's own buffers of large uploads go to the app's temp folder too.
        ["ASPNETCORE_TEMP"] = _temp.Path,
    });

    private string[] Settings() =>
    [
        $"--Colorizer:ModelsDirectory={_models.Path}", "--Colorizer:DownloadWeights=false",
        $"--Gallery:StorageDirectory={_galleries.Path}", $"--Video:StorageDirectory={_videos.Path}",
        $"--TempFiles:Directory={_temp.Path}", "--Video:SegmentSeconds=1",
        // What a killed app left in its temp folder is swept as soon as it is a second old (10 minutes by default).
        "--TempFiles:LeftoverAge=00:00:01",
    ];

    private string Photo(string name, int width, int height)
    {
        string path = Path.Combine(_photos.Path, name);
        using var photo = DamagedPhotos.WithFilmGrain(DamagedPhotos.Clean(width, height), 12);
        File.WriteAllBytes(path, TestImages.Encode(photo, ".png"));
        return path;
    }

    // Every file the galleries' index names (each photo's upload and network output), as full paths.
    private HashSet<string> IndexedFiles()
    {
        var files = new HashSet<string>();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_galleries.Path, "galleries.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT gallery_id, record FROM items";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            using var record = JsonDocument.Parse(reader.GetString(1));
            string folder = Path.Combine(_galleries.Path, reader.GetString(0));
            files.Add(Path.Combine(folder, record.RootElement.GetProperty("uploadFile").GetString()!));
            files.Add(Path.Combine(folder, record.RootElement.GetProperty("predictionFile").GetString()!));
        }
        return files;
    }

    // Segments the video job has finished, as its manifest records them (0 before the first).
    private int FinishedSegments()
    {
        foreach (string manifest in Directory.EnumerateFiles(Path.Combine(_videos.Path, "jobs"), "manifest.json", SearchOption.AllDirectories))
        {
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllText(manifest));
                return document.RootElement.GetProperty("Segments").GetArrayLength();
            }
            catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException)
            {
                // Being replaced: look again.
            }
        }
        return 0;
    }

    // The folders the video jobs' index names, as full paths.
    private List<string> VideoJobFolders()
    {
        var folders = new List<string>();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_videos.Path, "jobs.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT record FROM jobs";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            using var record = JsonDocument.Parse(reader.GetString(0));
            folders.Add(Path.Combine(_videos.Path, "jobs", record.RootElement.GetProperty("folder").GetString()!));
        }
        return folders;
    }

    private static async Task PostAsync(HttpClient client, byte[] png)
    {
        try
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "large.png" } };
            using var response = await client.PostAsync("/api/colorize", form);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            // Cut off by the kill, as expected.
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }

    public void Dispose()
    {
        foreach (var folder in new[] { _models, _galleries, _temp, _videos, _photos })
            folder.Dispose();
    }
}
