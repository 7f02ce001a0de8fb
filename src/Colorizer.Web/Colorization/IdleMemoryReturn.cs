using Colorizer.Core.Native;

namespace Colorizer.Web.Colorization;

/// <summary>
/// Gives memory back to the system once the images in flight are gone: a full compacting collection (the uploads'
/// and answers' large arrays are garbage on the large-object heap, which the collector would leave there for a long
/// time: during a burst of 44-megapixel requests the resident set grew by gigabytes while the budget held 1 GB) and then
/// glibc's <c>malloc_trim(0)</c>. After a job that held at least <see cref="LargeJobBytes"/> (at most once per
/// <see cref="MinimumIntervalAfterLargeJobs"/>), and when the <see cref="MemoryBudget"/> becomes idle and stays so for
/// <see cref="Delay"/> (at most once per <see cref="MinimumInterval"/>; a burst that ends within it is trimmed when the
/// interval is over).
/// </summary>
public sealed class IdleMemoryReturn : IHostedService, IDisposable
{
    /// <summary>How long the budget must stay idle before memory is given back.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    /// <summary>The least time between two returns when idle.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(10);

    /// <summary>A job that held this many bytes or more leaves enough garbage to collect at once: 64 MiB (a 6-megapixel photo).</summary>
    public const long LargeJobBytes = 64L << 20;

    /// <summary>The least time between two returns after large jobs.</summary>
    public static readonly TimeSpan MinimumIntervalAfterLargeJobs = TimeSpan.FromSeconds(1);

    private readonly MemoryBudget _budget;
    private readonly ILogger<IdleMemoryReturn> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private long _lastReturn = long.MinValue;
    private long _count;
    private bool _disposed;
    private bool _collecting;

    /// <summary>Watches <paramref name="budget"/>.</summary>
    public IdleMemoryReturn(MemoryBudget budget, ILogger<IdleMemoryReturn> logger, TimeProvider? time = null)
    {
        _budget = budget;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _timer = _time.CreateTimer(_ => Run(idle: true), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        budget.BecameIdle += Schedule;
        budget.Released += AfterJob;
    }

    private void AfterJob(long bytes)
    {
        if (bytes < LargeJobBytes)
            return;
        lock (_lock)
        {
            if (_disposed || _collecting || (_lastReturn != long.MinValue && _time.GetElapsedTime(_lastReturn) < MinimumIntervalAfterLargeJobs))
                return;
            _collecting = true;
        }
        // Off the releasing thread: it is a request's, answering.
        ThreadPool.UnsafeQueueUserWorkItem(_ => Run(idle: false), null);
    }

    /// <summary>How many times memory was given back.</summary>
    public long Count => Interlocked.Read(ref _count);

    private void Schedule()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            var due = Delay;
            if (_lastReturn != long.MinValue)
            {
                var sinceLast = _time.GetElapsedTime(_lastReturn);
                if (sinceLast + Delay < MinimumInterval)
                    due = MinimumInterval - sinceLast;
            }
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private void Run(bool idle)
    {
        // Work arrived meanwhile: the next idle moment schedules again.
        if (idle && (_budget.Holders > 0 || _budget.Waiting > 0))
            return;
        lock (_lock)
        {
            _collecting = false;
            if (_disposed)
                return;
            _lastReturn = _time.GetTimestamp();
        }
        long started = _time.GetTimestamp();
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        // Idle: everything the collector can decommit; between jobs, a plain full collection.
        GC.Collect(GC.MaxGeneration, idle ? GCCollectionMode.Aggressive : GCCollectionMode.Forced, blocking: true, compacting: true);
        bool trimmed = NativeHeap.ReturnFreedMemory();
        Interlocked.Increment(ref _count);
        _logger.LogDebug("{When}: gave freed memory back to the system in {Elapsed} ms (malloc_trim {Trimmed})",
            idle ? "Idle" : "After a large job", (long)_time.GetElapsedTime(started).TotalMilliseconds, trimmed ? "returned memory" : "had nothing to return");
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
            _disposed = true;
        _budget.BecameIdle -= Schedule;
        _budget.Released -= AfterJob;
        _timer.Dispose();
    }
}
