using Colorizer.Core.Colorization;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;
using Microsoft.Data.Sqlite;

namespace Colorizer.Web.Tests.Video;

/// <summary>Web video jobs kept in the storage folder's SQLite index, across a stop and a start of the app.</summary>
public sealed class VideoJobRestartTests
{
    private static void OneSecondSegments(VideoJobOptions options) => options.SegmentSeconds = 1;

    [Fact]
    public async Task RunningJob_StoppedWithTheApp_CarriesOnFromItsLastSegment_WithItsSettings_AndTheQueueKeepsItsOrder()
    {
        using var work = new TemporaryDirectory();
        string input, grey, next;
        await using (var first = await VideoJobHarness.StartAsync(OneSecondSegments, work))
        {
            input = first.WriteVideo("long.avi", frames: 240, fps: 24);
            // Saturation 0: a result in grey shows the settings came back with the job.
            await using (var stream = File.OpenRead(input))
                grey = (await first.Service.CreateAsync("Long clip.avi", stream,
                    new VideoJobSettings(ColorizationOptions.Default with { Saturation = 0 }, Stabilize: true, KeyFrames: false))).Id;
            next = (await first.CreateAsync(first.WriteVideo("short.avi", frames: 12), "Short clip.avi")).Id;
            await first.WaitForAsync(grey, j => j.Progress?.FramesDone >= 60, seconds: 120);
        }

        await using var second = await VideoJobHarness.StartAsync(OneSecondSegments, work);
        var resumed = second.Service.Find(grey);
        Assert.NotNull(resumed);
        Assert.Equal("Long clip.avi", resumed.FileName);
        Assert.Equal(0, resumed.Settings.Colorization.Saturation);
        Assert.False(resumed.Settings.KeyFrames);
        var waiting = second.Service.Find(next);
        Assert.Equal(VideoJobState.Queued, waiting?.State);

        var done = await second.WaitForEndAsync(grey, seconds: 180);
        Assert.Equal(VideoJobState.Done, done.State);
        var result = done.Result!;
        Assert.Equal(240, result.Frames);
        // The segments finished before the stop were kept, not colorized again.
        Assert.InRange(result.ResumedFrames, 48, 239);
        Assert.Equal(0, result.ResumedFrames % 24);
        var (frames, fps) = TestVideos.ReadAll(second.Service.GetFile(grey, VideoFileKind.Result)!.Value.Path);
        try
        {
            Assert.Equal(240, frames.Count);
            Assert.Equal(24, fps, 0.01);
            Assert.All(new[] { 0, 100, 239 }, i => Assert.True(ImageAssertions.MeanChroma(frames[i]) < 3, $"frame {i} should be grey"));
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }

        // The job queued behind it ran after it, and in colour (its own settings).
        var after = await second.WaitForEndAsync(next);
        Assert.Equal(VideoJobState.Done, after.State);
        Assert.True(after.StartedAt >= done.FinishedAt);
        Assert.Equal(4, second.StoredFiles().Length);
    }

    [Fact]
    public async Task FinishedJobs_AreShownAgainAfterARestart_UntilTheyExpire()
    {
        using var work = new TemporaryDirectory();
        string done, cancelled;
        long resultBytes;
        await using (var first = await VideoJobHarness.StartAsync(work: work))
        {
            done = (await first.CreateAsync(first.WriteVideo("clip.avi", frames: 10), "Clip.avi")).Id;
            var ended = await first.WaitForEndAsync(done);
            Assert.Equal(VideoJobState.Done, ended.State);
            resultBytes = new FileInfo(first.Service.GetFile(done, VideoFileKind.Result)!.Value.Path).Length;
            cancelled = (await first.CreateAsync(first.WriteVideo("other.avi", frames: 240))).Id;
            await first.WaitForAsync(cancelled, j => j.State == VideoJobState.Running);
            Assert.True(first.Service.Cancel(cancelled));
            Assert.Equal(VideoJobState.Cancelled, (await first.WaitForEndAsync(cancelled)).State);
        }

        await using var second = await VideoJobHarness.StartAsync(work: work);
        var shown = second.Service.Find(done);
        Assert.Equal(VideoJobState.Done, shown?.State);
        Assert.Equal(10, shown!.Result!.Frames);
        Assert.Equal(resultBytes, new FileInfo(second.Service.GetFile(done, VideoFileKind.Result)!.Value.Path).Length);
        Assert.Equal(VideoJobState.Cancelled, second.Service.Find(cancelled)?.State);
        Assert.Equal(2, second.StoredFiles().Length);

        second.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(2, second.Service.RemoveExpired());
        Assert.Empty(second.StoredFiles());
        await second.DisposeAsync();
        await using var third = await VideoJobHarness.StartAsync(work: work);
        Assert.Null(third.Service.Find(done));
    }

    [Fact]
    public async Task AJobWhoseFilesWereLost_FailsAtStart_SayingWhy_AndABadRowIsDropped()
    {
        using var work = new TemporaryDirectory();
        string lost;
        await using (var first = await VideoJobHarness.StartAsync(work: work))
        {
            lost = (await first.CreateAsync(first.WriteVideo("clip.avi", frames: 6), "Clip.avi")).Id;
            await first.WaitForEndAsync(lost);
            foreach (string file in first.StoredFiles())
                File.Delete(file);
        }
        // A row no version of the app could have written.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(work.File("storage"), "jobs.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO jobs (id, sequence, record) VALUES ('AAAAAAAAAAAAAAAAAAAAAA', 99, '{\"snapshot\": 5}')";
            command.ExecuteNonQuery();
        }

        await using var second = await VideoJobHarness.StartAsync(work: work);
        var failed = second.Service.Find(lost);
        Assert.Equal(VideoJobState.Failed, failed?.State);
        Assert.Contains("lost", failed!.Error, StringComparison.Ordinal);
        Assert.Null(second.Service.Find("AAAAAAAAAAAAAAAAAAAAAA"));
        Assert.Null(second.Service.GetFile(lost, VideoFileKind.Result));
    }

    [Fact]
    public async Task ARunWhoseFfmpegDiesOfTheStopSignal_IsPaused_NotFailed_AndCarriesOnAfterTheRestart()
    {
        using var work = new TemporaryDirectory();
        var lifetime = new StoppableLifetime();
        string id;
        await using (var first = await VideoJobHarness.StartAsync(OneSecondSegments, work, lifetime))
        {
            id = (await first.CreateAsync(first.WriteVideo("long.avi", frames: 720, fps: 24))).Id;
            await first.WaitForAsync(id, j => j.Progress?.FramesDone >= 30, seconds: 120);
            // Ctrl+C or systemd's stop: the app is told to stop, and the same signal ends its ffmpeg (in its process group),
            // while the host is still draining its requests and has not stopped this service yet.
            lifetime.StopApplication();
            string folder = Path.GetDirectoryName(first.Service.GetFile(id, VideoFileKind.Original)!.Value.Path)!;
            // Each one-second segment has an encoder of its own: between two there is a moment with none, and an encoder
            // signalled as it finishes its segment exits as if done. So signal every encoder of the job until it stops
            // running, as the terminal's signal would have reached whichever was running.
            int signalled = 0;
            var looking = System.Diagnostics.Stopwatch.StartNew();
            while (first.Service.Find(id) is { State: VideoJobState.Running } running && running.Note?.Contains("Paused", StringComparison.Ordinal) != true
                && looking.Elapsed < TimeSpan.FromSeconds(60))
            {
                signalled += InterruptFfmpegWorkingIn(folder);
                await Task.Delay(5);
            }
            Assert.True(signalled > 0, $"no ffmpeg was encoding the job (it is {first.Service.Find(id)?.State})");
            var paused = first.Service.Find(id)!;
            Assert.Equal(VideoJobState.Queued, paused.State);
            Assert.NotEmpty(first.StoredFiles());
        }

        await using var second = await VideoJobHarness.StartAsync(OneSecondSegments, work);
        var done = await second.WaitForEndAsync(id, seconds: 180);
        Assert.Equal(VideoJobState.Done, done.State);
        Assert.Equal(720, done.Result!.Frames);
    }

    // SIGINT to the ffmpeg processes whose command line names the job's folder (other tests' encoders are left alone).
    private static int InterruptFfmpegWorkingIn(string folder)
    {
        int signalled = 0;
        foreach (var process in System.Diagnostics.Process.GetProcessesByName("ffmpeg"))
        {
            string commandLine;
            try
            {
                commandLine = File.ReadAllText($"/proc/{process.Id}/cmdline");
            }
            catch (IOException)
            {
                continue;
            }
            if (!commandLine.Contains(folder, StringComparison.Ordinal))
                continue;
            using var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            signalled++;
        }
        return signalled;
    }

    private sealed class StoppableLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();
    }

    [Theory]
    [InlineData("..")]
    [InlineData("")]
    [InlineData("colorized.mp4")]
    [InlineData("original.exe")]
    public async Task ARowWhoseUploadNameLeavesItsFile_IsDropped_AndItsFolderSwept(string inputName)
    {
        using var work = new TemporaryDirectory();
        string id;
        await using (var first = await VideoJobHarness.StartAsync(work: work))
        {
            id = (await first.CreateAsync(first.WriteVideo("clip.avi", frames: 6), "Clip.avi")).Id;
            Assert.Equal(VideoJobState.Done, (await first.WaitForEndAsync(id)).State);
        }
        // "..", "" and the result's name are file names, yet the upload would be the jobs' folder, its own folder or its result.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(work.File("storage"), "jobs.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE jobs SET record = json_set(record, '$.inputName', $name)";
            command.Parameters.AddWithValue("$name", inputName);
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        await using var second = await VideoJobHarness.StartAsync(work: work);
        Assert.Null(second.Service.Find(id));
        Assert.Null(second.Service.GetFile(id, VideoFileKind.Original));
        Assert.Empty(second.StoredFiles());
    }

    [Fact]
    public async Task Delete_ForgetsTheJob_AndItsFiles_AcrossARestart()
    {
        using var work = new TemporaryDirectory();
        string deleted, running;
        await using (var first = await VideoJobHarness.StartAsync(OneSecondSegments, work))
        {
            deleted = (await first.CreateAsync(first.WriteVideo("clip.avi", frames: 6))).Id;
            await first.WaitForEndAsync(deleted);
            Assert.True(first.Service.Delete(deleted));
            Assert.Null(first.Service.Find(deleted));
            Assert.False(first.Service.Delete(deleted));

            running = (await first.CreateAsync(first.WriteVideo("long.avi", frames: 240))).Id;
            await first.WaitForAsync(running, j => j.Progress?.FramesDone >= 30, seconds: 120);
            Assert.True(first.Service.Delete(running));
            Assert.Null(first.Service.Find(running));
            // A running job's files go once it has stopped.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (first.StoredFiles().Length > 0 && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            Assert.Empty(first.StoredFiles());
        }
        await using var second = await VideoJobHarness.StartAsync(work: work);
        Assert.Null(second.Service.Find(deleted));
        Assert.Null(second.Service.Find(running));
        Assert.Equal(0, second.Service.Count);
    }
}
