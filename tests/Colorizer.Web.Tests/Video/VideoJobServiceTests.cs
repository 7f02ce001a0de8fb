using System.Buffers.Text;
using System.ComponentModel.DataAnnotations;
using Colorizer.Core.Video;
using Colorizer.Testing;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Video;

public sealed class VideoJobServiceTests
{
    [Fact]
    public async Task Job_RunsToDone_WithProgressUpToTheTotal_AndAPlayableResult()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        string input = harness.WriteVideo("clip.avi", frames: 48, fps: 24);
        var seen = new List<VideoJobSnapshot>();
        var created = await harness.CreateAsync(input, "My clip.avi");
        using (harness.Service.Watch(created.Id, () =>
               {
                   if (harness.Service.Find(created.Id) is { } now)
                   {
                       lock (seen)
                           seen.Add(now);
                   }
               }))
        {
            Assert.Equal("My clip.avi", created.FileName);
            Assert.Equal(48, created.TotalFrames);
            Assert.Equal(new FileInfo(input).Length, created.SizeBytes);

            var done = await harness.WaitForEndAsync(created.Id);

            Assert.Equal(VideoJobState.Done, done.State);
            Assert.Null(done.Error);
            Assert.NotNull(done.StartedAt);
            Assert.NotNull(done.FinishedAt);
            Assert.Equal(done.FinishedAt + TimeSpan.FromHours(1), done.ExpiresAt);
            var result = Assert.IsType<VideoResult>(done.Result);
            Assert.Equal((48, 160, 120), (result.Frames, result.Width, result.Height));
            Assert.Equal(24, result.FramesPerSecond, 0.01);
            Assert.Equal(new VideoProgress(48, 48, done.Progress!.FramesPerSecond, TimeSpan.Zero), done.Progress);
            Assert.Equal("My_clip-colorized.mp4", done.DownloadName);
        }
        lock (seen)
        {
            Assert.Contains(seen, s => s.State == VideoJobState.Running);
            var reports = seen.Where(s => s.Progress is not null).Select(s => s.Progress!.FramesDone).ToList();
            Assert.Equal(reports.Order(), reports);
            Assert.Equal(48, reports[^1]);
        }

        // The result is an MP4 with every frame, in colour; the slot of the shared queue is free again.
        var file = harness.Service.GetFile(created.Id, VideoFileKind.Result)!.Value;
        Assert.Equal("video/mp4", file.ContentType);
        var (frames, fps) = TestVideos.ReadAll(file.Path);
        try
        {
            Assert.Equal(48, frames.Count);
            Assert.All(frames, f => Assert.Equal(new Size(160, 120), f.Size()));
            Assert.Equal(24, fps, 0.01);
            Assert.True(ImageAssertions.MeanChroma(frames[24]) > 20, "the result should be in colour");
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
        Assert.Equal(0, harness.Queue.Running);
        // Only the upload and the result are stored: no temporary files are left.
        Assert.Equal(2, harness.StoredFiles().Length);
    }

    [Fact]
    public async Task FramePair_IsTheSameFrameOfBoth_AtDisplaySize()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        var job = await harness.CreateAsync(harness.WriteVideo("clip.avi", frames: 30, width: 320, height: 240));
        await harness.WaitForEndAsync(job.Id);

        var pair = await harness.Service.ReadFramesAsync(job.Id, 12, maxSide: 160);

        Assert.NotNull(pair);
        Assert.Equal(12, pair.Frame);
        Assert.Equal("image/jpeg", pair.ContentType);
        Assert.StartsWith("data:image/jpeg;base64,", pair.OriginalDataUrl, StringComparison.Ordinal);
        using var original = ImageAssertions.Decode(pair.Original);
        using var colorized = ImageAssertions.Decode(pair.Colorized);
        Assert.Equal(new Size(160, 120), original.Size());
        Assert.Equal(new Size(160, 120), colorized.Size());
        Assert.True(ImageAssertions.MeanChroma(original) < 3, "the original frame is grey");
        Assert.True(ImageAssertions.MeanChroma(colorized) > 20, "the colorized frame is in colour");
        // Same frame: the lightness agrees (the result keeps the original's L).
        using var greyOriginal = original.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var greyColorized = colorized.CvtColor(ColorConversionCodes.BGR2GRAY);
        using var difference = new Mat();
        Cv2.Absdiff(greyOriginal, greyColorized, difference);
        Assert.True(Cv2.Mean(difference).Val0 < 12, $"the frames differ in lightness by {Cv2.Mean(difference).Val0:0.0}");

        Assert.Null(await harness.Service.ReadFramesAsync(job.Id, 30, 160));
        Assert.Null(await harness.Service.ReadFramesAsync(job.Id, -1, 160));
        Assert.Null(await harness.Service.ReadFramesAsync(VideoJobIds.New(), 0, 160));
    }

    [Fact]
    public async Task Cancel_WhileRunning_EndsCancelled_WithNoFilesLeft()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        var job = await harness.CreateAsync(harness.WriteVideo("long.avi", frames: 500, width: 192, height: 144));
        await harness.WaitForAsync(job.Id, j => j.Progress is { FramesDone: > 0 } || j.IsFinished);

        Assert.True(harness.Service.Cancel(job.Id));
        var ended = await harness.WaitForEndAsync(job.Id);

        Assert.Equal(VideoJobState.Cancelled, ended.State);
        Assert.Equal("Cancelled.", ended.Error);
        Assert.Null(ended.Result);
        Assert.True(ended.Progress!.FramesDone < 500);
        Assert.Null(harness.Service.GetFile(job.Id, VideoFileKind.Result));
        Assert.Empty(harness.StoredFiles());
        Assert.Equal(0, harness.Queue.Running);
        Assert.False(harness.Service.Cancel(job.Id), "an ended job cannot be cancelled again");
    }

    [Fact]
    public async Task Cancel_WhileQueued_EndsAtOnce_AndTheNextJobStillRuns()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        var first = await harness.CreateAsync(harness.WriteVideo("first.avi", frames: 600, width: 192, height: 144));
        var second = await harness.CreateAsync(harness.WriteVideo("second.avi", frames: 10));
        var third = await harness.CreateAsync(harness.WriteVideo("third.avi", frames: 10));
        await harness.WaitForAsync(first.Id, j => j.State != VideoJobState.Queued);
        // One at a time: the others wait, and know how many videos are ahead of them.
        Assert.Equal(VideoJobState.Queued, harness.Service.Find(second.Id)!.State);
        Assert.Equal(1, harness.Service.Find(second.Id)!.JobsAhead);
        Assert.Equal(2, harness.Service.Find(third.Id)!.JobsAhead);
        Assert.Equal(1, harness.Queue.Running);

        Assert.True(harness.Service.Cancel(second.Id));

        var cancelled = harness.Service.Find(second.Id)!;
        Assert.Equal(VideoJobState.Cancelled, cancelled.State);
        Assert.NotNull(cancelled.FinishedAt);
        await harness.WaitForAsync(third.Id, j => j.JobsAhead == 1 || j.IsFinished);
        harness.Service.Cancel(first.Id);
        Assert.Equal(VideoJobState.Done, (await harness.WaitForEndAsync(third.Id)).State);
        Assert.Equal(VideoJobState.Cancelled, harness.Service.Find(second.Id)!.State);
    }

    [Fact]
    public async Task ARunningVideo_HoldsOneSlotOfTheSharedQueue_SoPhotosStillGetThrough()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        var job = await harness.CreateAsync(harness.WriteVideo("long.avi", frames: 500, width: 192, height: 144));
        await harness.WaitForAsync(job.Id, j => j.State == VideoJobState.Running);

        Assert.Equal(1, harness.Queue.Running);
        using (var photo = harness.Queue.Enter())
            Assert.True(photo.IsRunning, "a photo should start at once on the other slot");

        harness.Service.Cancel(job.Id);
        await harness.WaitForEndAsync(job.Id);
        Assert.Equal(0, harness.Queue.Running);
    }

    [Fact]
    public async Task WithoutAModel_TheJobFails_SayingWhy()
    {
        using var work = new TemporaryDirectory();
        Directory.CreateDirectory(work.File("models"));
        await using var harness = await VideoJobHarness.StartAsync(work: work);

        var job = await harness.CreateAsync(harness.WriteVideo("clip.avi", frames: 5));
        var ended = await harness.WaitForEndAsync(job.Id);

        Assert.Equal(VideoJobState.Failed, ended.State);
        Assert.Contains("colorization_release_v2.caffemodel", ended.Error);
        Assert.Empty(harness.StoredFiles());
    }

    [Fact]
    public async Task TruncatedVideo_Fails_WithTheReason_NamingTheUsersFile()
    {
        await using var harness = await VideoJobHarness.StartAsync();
        string whole = harness.WriteVideo("whole.avi", frames: 40, width: 96, height: 64);
        byte[] bytes = await File.ReadAllBytesAsync(whole);
        string cut = harness.Work.File("cut.avi");
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length / 2)]);

        var job = await harness.CreateAsync(cut, "holiday 1962.avi");
        var ended = await harness.WaitForEndAsync(job.Id);

        Assert.Equal(VideoJobState.Failed, ended.State);
        Assert.Contains("holiday 1962.avi", ended.Error);
        Assert.Contains("truncated", ended.Error);
        Assert.DoesNotContain("-original", ended.Error);
        Assert.Null(ended.Result);
        Assert.Empty(harness.StoredFiles());
    }

    [Theory]
    [InlineData("noise.mp4", "could not be opened as a video")]
    [InlineData("photo.gif", "not a supported video")]
    [InlineData("no-extension", "not a supported video")]
    public async Task NonVideos_AreRefusedAtUpload_WithTheReason(string name, string reason)
    {
        await using var harness = await VideoJobHarness.StartAsync();
        using var content = new MemoryStream(Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251)).ToArray());

        var error = await Assert.ThrowsAsync<VideoJobRefusedException>(() => harness.Service.CreateAsync(name, content));

        Assert.Contains(reason, error.Message);
        Assert.Equal(0, harness.Service.Count);
        Assert.Empty(harness.StoredFiles());
    }

    [Fact]
    public async Task TooLargeAndEmptyUploads_AreRefused_AndLeaveNothing()
    {
        await using var harness = await VideoJobHarness.StartAsync(o => o.MaxFileBytes = 10_000);
        string input = harness.WriteVideo("clip.avi", frames: 20);

        await using (var stream = File.OpenRead(input))
        {
            var error = await Assert.ThrowsAsync<VideoJobRefusedException>(() => harness.Service.CreateAsync("clip.avi", stream));
            Assert.Contains("larger than the limit of 10,000 bytes", error.Message);
        }
        var empty = await Assert.ThrowsAsync<VideoJobRefusedException>(() => harness.Service.CreateAsync("empty.mp4", new MemoryStream()));
        Assert.Contains("empty", empty.Message);
        Assert.Empty(harness.StoredFiles());
    }

    [Fact]
    public async Task BeyondMaxQueuedJobs_UploadsAreRefused()
    {
        await using var harness = await VideoJobHarness.StartAsync(o => o.MaxQueuedJobs = 1);
        var running = await harness.CreateAsync(harness.WriteVideo("long.avi", frames: 600, width: 192, height: 144));
        await harness.WaitForAsync(running.Id, j => j.State != VideoJobState.Queued);
        string small = harness.WriteVideo("small.avi", frames: 5);
        await harness.CreateAsync(small);

        var error = await Assert.ThrowsAsync<VideoJobRefusedException>(() => harness.CreateAsync(small));

        Assert.Contains("busy", error.Message);
        harness.Service.Cancel(running.Id);
    }

    [Fact]
    public async Task ExpiredJobs_AreForgotten_AndTheirFilesDeleted()
    {
        await using var harness = await VideoJobHarness.StartAsync(o => o.RetainFinishedFor = TimeSpan.FromMinutes(30));
        var job = await harness.CreateAsync(harness.WriteVideo("clip.avi", frames: 10));
        await harness.WaitForEndAsync(job.Id);
        var result = harness.Service.GetFile(job.Id, VideoFileKind.Result)!.Value.Path;
        var original = harness.Service.GetFile(job.Id, VideoFileKind.Original)!.Value.Path;
        int notified = 0;
        using var watch = harness.Service.Watch(job.Id, () => Interlocked.Increment(ref notified));

        harness.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(0, harness.Service.RemoveExpired());
        Assert.True(File.Exists(result) && File.Exists(original));

        harness.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, harness.Service.RemoveExpired());

        Assert.Null(harness.Service.Find(job.Id));
        Assert.False(File.Exists(result));
        Assert.False(File.Exists(original));
        Assert.Empty(harness.StoredFiles());
        Assert.Equal(1, notified);
        Assert.Null(harness.Service.Watch(job.Id, () => { }));
    }

    [Fact]
    public async Task TheCleanupRunsOnItsOwn_WithATinyRetention()
    {
        await using var harness = await VideoJobHarness.StartAsync(o =>
        {
            o.RetainFinishedFor = TimeSpan.FromMilliseconds(300);
            o.CleanupInterval = TimeSpan.FromMilliseconds(50);
        });
        var job = await harness.CreateAsync(harness.WriteVideo("clip.avi", frames: 10));
        await harness.WaitForEndAsync(job.Id);

        // Forgotten first, then its row and its files go.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((harness.Service.Find(job.Id) is not null || harness.StoredFiles().Length > 0) && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        Assert.Null(harness.Service.Find(job.Id));
        Assert.Empty(harness.StoredFiles());
    }

    [Fact]
    public async Task LeftoversOfACrash_AreRemovedAtStart_ButForeignFilesStay_AndASecondAppIsRefused()
    {
        using var work = new TemporaryDirectory();
        string root = work.File("storage");
        // An upload a crash cut short (a job folder no row names), an earlier version's per-app folder and lock, and things that are not ours.
        string cutShort = Path.Combine(root, "jobs", "0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(cutShort);
        await File.WriteAllTextAsync(Path.Combine(cutShort, "original.mp4.upload"), "half an upload");
        string earlier = Path.Combine(root, "fedcba9876543210fedcba9876543210");
        Directory.CreateDirectory(earlier);
        await File.WriteAllTextAsync(Path.Combine(earlier, "x-original.mp4"), "left over");
        await File.WriteAllTextAsync(earlier + ".lock", "");
        Directory.CreateDirectory(Path.Combine(root, "holiday photos"));
        Directory.CreateDirectory(Path.Combine(root, "jobs", "not-a-job"));
        await File.WriteAllTextAsync(Path.Combine(root, "notes.txt"), "mine");

        await using var first = await VideoJobHarness.StartAsync(work: work);
        var done = await first.CreateAsync(first.WriteVideo("clip.avi", frames: 5));
        await first.WaitForEndAsync(done.Id);

        Assert.False(Directory.Exists(cutShort));
        Assert.False(Directory.Exists(earlier));
        Assert.False(File.Exists(earlier + ".lock"));
        Assert.True(Directory.Exists(Path.Combine(root, "holiday photos")));
        Assert.True(Directory.Exists(Path.Combine(root, "jobs", "not-a-job")));
        Assert.True(File.Exists(Path.Combine(root, "notes.txt")));
        Assert.Equal(2, first.StoredFiles().Length);

        // One app per folder: a second one would sweep the first one's uploads as leftovers.
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => VideoJobHarness.StartAsync(work: work));
        Assert.Contains("Video:StorageDirectory", refused.Message, StringComparison.Ordinal);
        Assert.Equal(VideoJobState.Done, first.Service.Find(done.Id)!.State);

        // Stopping keeps the jobs' files for the next start.
        await first.DisposeAsync();
        Assert.Equal(2, Directory.GetFiles(Path.Combine(root, "jobs"), "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task Ids_AreUnguessable_AndUnique()
    {
        var ids = Enumerable.Range(0, 20_000).Select(_ => VideoJobIds.New()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ids, id =>
        {
            Assert.Equal(22, id.Length);
            Assert.True(VideoJobIds.IsWellFormed(id));
            Assert.Equal(16, Base64Url.DecodeFromChars(id).Length);
        });
        // 128 random bits: every position takes all 64 characters (the last one 4 bits' worth), no common prefixes.
        for (int position = 0; position < 21; position++)
            Assert.Equal(64, ids.Select(id => id[position]).Distinct().Count());
        Assert.True(ids.GroupBy(id => id[..4]).Max(g => g.Count()) < 10);
        Assert.False(VideoJobIds.IsWellFormed("../../etc/passwd"));
        Assert.False(VideoJobIds.IsWellFormed(ids[0] + "A"));

        // Jobs get such ids.
        await using var harness = await VideoJobHarness.StartAsync();
        string input = harness.WriteVideo("clip.avi", frames: 3);
        var jobs = new List<VideoJobSnapshot>();
        for (int i = 0; i < 3; i++)
            jobs.Add(await harness.CreateAsync(input));
        Assert.All(jobs, j => Assert.True(VideoJobIds.IsWellFormed(j.Id)));
        Assert.Equal(3, jobs.Select(j => j.Id).Distinct().Count());
        foreach (var job in jobs)
            await harness.WaitForEndAsync(job.Id);
    }

    [Fact]
    public void Options_AreValidated()
    {
        static List<ValidationResult> Validate(VideoJobOptions options)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            return results;
        }

        Assert.Empty(Validate(new VideoJobOptions()));
        Assert.Contains(Validate(new VideoJobOptions { RetainFinishedFor = TimeSpan.Zero }), r => r.MemberNames.Contains(nameof(VideoJobOptions.RetainFinishedFor)));
        Assert.Contains(Validate(new VideoJobOptions { CleanupInterval = TimeSpan.FromSeconds(-1) }), r => r.MemberNames.Contains(nameof(VideoJobOptions.CleanupInterval)));
        Assert.Contains(Validate(new VideoJobOptions { MaxFileBytes = 0 }), r => r.MemberNames.Contains(nameof(VideoJobOptions.MaxFileBytes)));
        Assert.Contains(Validate(new VideoJobOptions { MaxQueuedJobs = 0 }), r => r.MemberNames.Contains(nameof(VideoJobOptions.MaxQueuedJobs)));
        Assert.Equal(Path.Combine(Path.GetTempPath(), "colorizer-videos"), new VideoJobOptions().ResolvedStorageDirectory);
    }
}
