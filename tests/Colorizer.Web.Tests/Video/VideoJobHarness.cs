using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Video;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Colorizer.Web.Tests.Video;

/// <summary>A clock that runs with the real one, plus an offset the test moves forward.</summary>
public sealed class ShiftableTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

/// <summary>
/// A <see cref="VideoJobService"/> over the tiny model that paints everything (20, 30), a work queue of two slots, a
/// storage folder of its own and a shiftable clock; started, and stopped on dispose.
/// </summary>
public sealed class VideoJobHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly bool _ownsWork;
    private int _disposed;

    private VideoJobHarness(ServiceProvider provider, TemporaryDirectory work, ShiftableTimeProvider time, bool ownsWork)
    {
        _provider = provider;
        _ownsWork = ownsWork;
        Work = work;
        Time = time;
    }

    /// <summary>Inputs, models and the storage folder live here.</summary>
    public TemporaryDirectory Work { get; }

    public ShiftableTimeProvider Time { get; }

    public VideoJobService Service => _provider.GetRequiredService<VideoJobService>();

    public WorkQueue Queue => _provider.GetRequiredService<WorkQueue>();

    public ModelHost Models => _provider.GetRequiredService<ModelHost>();

    /// <summary>The memory budget the jobs are charged to (when the harness was started with one).</summary>
    public MemoryBudget Budget => _provider.GetRequiredService<MemoryBudget>();

    /// <summary>The storage folder (jobs.db, jobs.lock and a folder per job under jobs/).</summary>
    public string StorageRoot => Work.File("storage");

    /// <summary>Builds and starts a service; <paramref name="configure"/> changes its options.</summary>
    /// <param name="configure">Changes the options.</param>
    /// <param name="work">A folder shared with another harness (not deleted by this one), or null for a new one.</param>
    /// <param name="lifetime">The host's lifetime the service watches for a stop, or null for none.</param>
    /// <param name="core">Changes the engine's options (its decode limits).</param>
    /// <param name="memoryBudget">The memory budget for images in flight the jobs are charged to, or null for none.</param>
    public static async Task<VideoJobHarness> StartAsync(Action<VideoJobOptions>? configure = null, TemporaryDirectory? work = null,
        Microsoft.Extensions.Hosting.IHostApplicationLifetime? lifetime = null, Action<ColorizerOptions>? core = null, long? memoryBudget = null)
    {
        bool ownsWork = work is null;
        work ??= new TemporaryDirectory();
        string models = work.File("models");
        if (!Directory.Exists(models))
        {
            Directory.CreateDirectory(models);
            SyntheticModels.WriteTiny(models, TinyModel.ConstantBin(SyntheticModels.BinAt(20, 30)));
        }
        var time = new ShiftableTimeProvider();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddColorizerCore(o =>
        {
            o.ModelsDirectory = models;
            o.DownloadWeights = false;
            o.WarmUp = false;
            core?.Invoke(o);
        });
        services.AddSingleton(new WorkQueue(2, 16));
        services.AddSingleton<TimeProvider>(time);
        if (lifetime is not null)
            services.AddSingleton(lifetime);
        if (memoryBudget is { } budget)
            services.AddSingleton(new MemoryBudget(budget));
        services.AddOptions<VideoJobOptions>().Configure(o =>
        {
            o.StorageDirectory = work.File("storage");
            configure?.Invoke(o);
        });
        services.AddSingleton<VideoJobService>();
        var provider = services.BuildServiceProvider();
        var harness = new VideoJobHarness(provider, work, time, ownsWork);
        try
        {
            await harness.Service.StartAsync(CancellationToken.None);
        }
        catch
        {
            await provider.DisposeAsync();
            if (ownsWork)
                work.Dispose();
            throw;
        }
        return harness;
    }

    /// <summary>Writes a slowly panning grey test video (Motion-JPEG in .avi, MPEG-4 Part 2 in .mp4).</summary>
    public string WriteVideo(string name, int frames, int width = 160, int height = 120, double fps = 24)
    {
        string path = Work.File(name);
        TestVideos.Write(path, frames, width, height, fps, TestVideos.Panning(width, height, 1, noise: 2));
        return path;
    }

    /// <summary>Uploads <paramref name="path"/> as the user's file <paramref name="fileName"/>.</summary>
    public async Task<VideoJobSnapshot> CreateAsync(string path, string? fileName = null)
    {
        await using var stream = File.OpenRead(path);
        return await Service.CreateAsync(fileName ?? Path.GetFileName(path), stream);
    }

    /// <summary>Waits until the job satisfies <paramref name="condition"/>; fails with its state after <paramref name="seconds"/>.</summary>
    public async Task<VideoJobSnapshot> WaitForAsync(string id, Func<VideoJobSnapshot, bool> condition, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var job = Service.Find(id);
            if (job is not null && condition(job))
                return job;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The job is {(job is null ? "gone" : $"{job.State} ({job.Error})")}.");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until the job has ended.</summary>
    public Task<VideoJobSnapshot> WaitForEndAsync(string id, double seconds = 60) => WaitForAsync(id, j => j.IsFinished, seconds);

    /// <summary>The files of the jobs (every job folder's, segments included).</summary>
    public string[] StoredFiles() => Directory.GetFiles(Path.Combine(Service.StorageDirectory!, "jobs"), "*", SearchOption.AllDirectories);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await Service.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
        if (_ownsWork)
            Work.Dispose();
    }
}
