using Colorizer.Core.Video;
using Colorizer.Web.Video;

namespace Colorizer.Web.Tests.Video;

/// <summary>Video jobs the test sets as it likes, with frames that are small solid images.</summary>
public sealed class FakeVideoJobs : IVideoJobs
{
    private readonly Dictionary<string, VideoJobSnapshot> _jobs = [];
    private readonly Dictionary<string, List<Action>> _watchers = [];

    /// <summary>A tiny JPEG (1×1) for every frame.</summary>
    public static readonly byte[] Jpeg = Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==");

    public long MaxFileBytes { get; set; } = 500L * 1024 * 1024;

    public TimeSpan RetainFinishedFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The frames asked for (0-based).</summary>
    public List<int> FramesRead { get; } = [];

    /// <summary>Ids cancelled.</summary>
    public List<string> Cancelled { get; } = [];

    /// <summary>Sets a job and tells its watchers (as the service does, from the test's thread).</summary>
    public void Set(VideoJobSnapshot job)
    {
        _jobs[job.Id] = job;
        Notify(job.Id);
    }

    /// <summary>Removes a job, as the clean-up does when it expires.</summary>
    public void Remove(string id)
    {
        _jobs.Remove(id);
        Notify(id);
    }

    private void Notify(string id)
    {
        if (_watchers.TryGetValue(id, out var watchers))
        {
            foreach (var watcher in watchers.ToList())
                watcher();
        }
    }

    public VideoJobSnapshot? Find(string id) => _jobs.GetValueOrDefault(id);

    public IDisposable? Watch(string id, Action changed)
    {
        if (!_jobs.ContainsKey(id))
            return null;
        if (!_watchers.TryGetValue(id, out var watchers))
            _watchers[id] = watchers = [];
        watchers.Add(changed);
        return new Unwatch(() => watchers.Remove(changed));
    }

    public Task<VideoJobSnapshot> CreateAsync(string fileName, Stream content, IProgress<long>? received = null, CancellationToken ct = default) =>
        throw new VideoJobRefusedException("Uploads are not part of this fake.");

    public Task<VideoJobSnapshot> CreateAsync(string fileName, Stream content, VideoJobSettings settings, IProgress<long>? received = null,
        CancellationToken ct = default)
    {
        RequestedSettings = settings;
        throw new VideoJobRefusedException("Uploads are not part of this fake.");
    }

    /// <summary>The settings the last upload asked for.</summary>
    public VideoJobSettings? RequestedSettings { get; private set; }

    /// <summary>The model the last upload asked for.</summary>
    public Core.Models.Catalogue.ColorModel? RequestedModel => RequestedSettings?.Model;

    /// <summary>The ids deleted.</summary>
    public List<string> Deleted { get; } = [];

    public bool Delete(string id)
    {
        Deleted.Add(id);
        return true;
    }

    public bool Cancel(string id)
    {
        Cancelled.Add(id);
        return true;
    }

    public Task<VideoFramePair?> ReadFramesAsync(string id, int frame, int maxSide, CancellationToken ct = default)
    {
        FramesRead.Add(frame);
        return Task.FromResult<VideoFramePair?>(_jobs.GetValueOrDefault(id)?.Result is { } result && frame < result.Frames
            ? new VideoFramePair(frame, Jpeg, Jpeg, "image/jpeg")
            : null);
    }

    /// <summary>A job in a given state, uploaded as "clip.avi" (48 frames announced).</summary>
    public static VideoJobSnapshot Job(VideoJobState state, string? id = null) =>
        new(id ?? VideoJobIds.New(), "clip.avi", 2_500_000, state, 0, null, null, null, null,
            new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero), null, null, TotalFrames: 48);

    /// <summary>A finished job's result: 48 frames of 160×120 at 24 fps.</summary>
    public static VideoResult Result(bool audioKept = true, string? warning = null) =>
        new(48, 160, 120, 24, 40, 1, 3.2, 0.8, audioKept, warning);

    private sealed class Unwatch(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
