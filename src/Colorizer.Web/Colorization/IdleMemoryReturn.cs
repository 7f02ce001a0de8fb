using Colorizer.Core.Native;

namespace Colorizer.Web.Colorization;

/// <summary>
/// Gives memory back to the system once the images in flight are gone: when the <see cref="MemoryBudget"/> becomes
/// idle and stays so for <see cref="Delay"/>, a full compacting collection (the uploads' and answers' large arrays
/// are garbage on the large-object heap, which an idle server would not collect for a long time) and then glibc's
/// <c>malloc_trim(0)</c>. At most once per <see cref="MinimumInterval"/>; a burst that ends within it is trimmed when
/// the interval is over.
/// </summary>
public sealed class IdleMemoryReturn : IHostedService, IDisposable
{
    /// <summary>How long the budget must stay idle before memory is given back.</summary>
    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);

    /// <summary>The least time between two returns.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(10);

    private readonly MemoryBudget _budget;
    private readonly ILogger<IdleMemoryReturn> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private long _lastReturn = long.MinValue;
    private long _count;
    private bool _disposed;

    /// <summary>Watches <paramref name="budget"/>.</summary>
    public IdleMemoryReturn(MemoryBudget budget, ILogger<IdleMemoryReturn> logger, TimeProvider? time = null)
    {
        _budget = budget;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _timer = _time.CreateTimer(_ => Run(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        budget.BecameIdle += Schedule;
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

    private void Run()
    {
        // Work arrived meanwhile: the next idle moment schedules again.
        if (_budget.Holders > 0 || _budget.Waiting > 0)
            return;
        lock (_lock)
        {
            if (_disposed)
                return;
            _lastReturn = _time.GetTimestamp();
        }
        long started = _time.GetTimestamp();
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        bool trimmed = NativeHeap.ReturnFreedMemory();
        Interlocked.Increment(ref _count);
        _logger.LogDebug("Idle: gave freed memory back to the system in {Elapsed} ms (malloc_trim {Trimmed})",
            (long)_time.GetElapsedTime(started).TotalMilliseconds, trimmed ? "returned memory" : "had nothing to return");
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
        _timer.Dispose();
    }
}
