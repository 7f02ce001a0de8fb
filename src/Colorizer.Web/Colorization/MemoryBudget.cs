namespace Colorizer.Web.Colorization;

/// <summary>
/// Admission by memory, not only by the number of jobs: the bytes that uploads and colorizations in flight hold
/// together stay within <see cref="Capacity"/> (<c>Admission:MemoryBudget</c>). A request takes a
/// <see cref="MemoryLease"/> for what it will buffer before it buffers it, grows it by its decoded working set
/// (estimated from the header) before it is decoded, and gives it back when its work ends, also on failure and
/// cancellation. Work that does not fit waits, first come first served.
/// </summary>
/// <remarks>
/// <para>Two kinds of waiting, so that uploads waiting in line (holding their bytes) can never keep every job from
/// starting: a lease that grows (a request whose upload is in, about to decode) goes before new leases, and it is
/// let through when it fits, or when no other lease is working (has grown), so that the bytes of uploads waiting
/// behind it cannot block it forever. A new lease waits behind earlier ones and is let through when it fits, or when
/// nothing at all is held: a single request larger than the whole budget is served when it is alone.</para>
/// <para>So the bytes in flight stay within the budget, except that one working lease may take them past it when
/// nothing else works (one photo larger than the budget, or the uploads waiting behind it leaving it no room), and
/// that background leases (<see cref="AcquireBackgroundAsync"/>: a video's frames, held for its whole run) do not
/// count as work or as held for those two rules, so they may add their bytes on top.</para>
/// </remarks>
public sealed class MemoryBudget
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _growing = new();
    private readonly LinkedList<Waiter> _arriving = new();
    private long _inUse;
    private long _peak;
    // Working leases, not counting background ones (AcquireBackgroundAsync), and the bytes background leases hold.
    private int _working;
    private long _backgroundBytes;
    private int _holders;

    /// <summary>Creates a budget of <paramref name="capacity"/> bytes (at least 1).</summary>
    public MemoryBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    /// <summary>The budget, in bytes.</summary>
    public long Capacity { get; }

    /// <summary>Bytes held by leases now.</summary>
    public long InUse
    {
        get { lock (_lock) return _inUse; }
    }

    /// <summary>The most bytes held at once since the budget was made (or since <see cref="ResetPeak"/>).</summary>
    public long Peak
    {
        get { lock (_lock) return _peak; }
    }

    /// <summary>Leases holding bytes now.</summary>
    public int Holders
    {
        get { lock (_lock) return _holders; }
    }

    /// <summary>Requests waiting for room (new leases and leases waiting to grow).</summary>
    public int Waiting
    {
        get { lock (_lock) return _growing.Count + _arriving.Count; }
    }

    /// <summary>Bytes asked for by the requests waiting for room.</summary>
    public long WaitingBytes
    {
        get
        {
            lock (_lock)
                return _growing.Sum(w => w.Bytes) + _arriving.Sum(w => w.Bytes);
        }
    }

    /// <summary>
    /// Raised (on the thread that released the last bytes, outside the budget's lock) when nothing is held and nobody
    /// waits any more: the moment to give freed memory back to the system.
    /// </summary>
    public event Action? BecameIdle;

    /// <summary>
    /// Raised (outside the budget's lock) with the bytes a lease gave back, when it gave any: a large job's buffers are
    /// garbage now.
    /// </summary>
    public event Action<long>? Released;

    /// <summary>Starts <see cref="Peak"/> again from what is held now.</summary>
    public void ResetPeak()
    {
        lock (_lock)
            _peak = _inUse;
    }

    /// <summary>
    /// Takes a lease of <paramref name="bytes"/> (0 or more), waiting until it fits behind the requests that came
    /// first; cancelling <paramref name="ct"/> leaves the line with <see cref="OperationCanceledException"/>.
    /// </summary>
    public Task<MemoryLease> AcquireAsync(long bytes, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ct.ThrowIfCancellationRequested();
        var lease = new MemoryLease(this);
        return WaitAsync(new Waiter(lease, bytes, growing: false), ct).ContinueWith(
            static (done, state) =>
            {
                done.GetAwaiter().GetResult();
                return (MemoryLease)state!;
            },
            lease, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>
    /// Takes a lease of <paramref name="bytes"/> for work on what memory holds already (a photo's re-render or repair,
    /// a decoded reference photo, a video's frames): it waits as a lease that grows does, before new uploads, and is
    /// let through when it fits or when no other lease is working. Cancelling <paramref name="ct"/> leaves the line
    /// with <see cref="OperationCanceledException"/>, holding nothing.
    /// </summary>
    public Task<MemoryLease> AcquireWorkingAsync(long bytes, CancellationToken ct = default) =>
        GrowNewAsync(new MemoryLease(this), bytes, ct);

    /// <summary>
    /// As <see cref="AcquireWorkingAsync"/>, for work that holds its bytes for minutes rather than seconds (a video job's
    /// frames, for its whole run): it waits as a working lease does, but once in it does not count as work for the
    /// rules that let a request through past the budget when no other works, nor as held for a new lease alone. Else,
    /// for the whole run, a request larger than what the video leaves, or uploads holding the rest, would wait out
    /// their deadline with everyone behind them. So the bytes in flight may exceed the budget by the background
    /// leases' bytes as well as by the one working lease that is let through alone.
    /// </summary>
    public Task<MemoryLease> AcquireBackgroundAsync(long bytes, CancellationToken ct = default) =>
        GrowNewAsync(new MemoryLease(this) { Background = true }, bytes, ct);

    // A new lease grown to its bytes, or disposed (holding nothing) when that fails or is cancelled.
    private async Task<MemoryLease> GrowNewAsync(MemoryLease lease, long bytes, CancellationToken ct)
    {
        try
        {
            await GrowAsync(lease, bytes, ct);
            return lease;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    internal Task GrowAsync(MemoryLease lease, long bytes, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        ct.ThrowIfCancellationRequested();
        lock (_lock)
            ObjectDisposedException.ThrowIf(lease.Released, lease);
        return WaitAsync(new Waiter(lease, bytes, growing: true), ct);
    }

    private async Task WaitAsync(Waiter waiter, CancellationToken ct)
    {
        lock (_lock)
        {
            var line = waiter.Growing ? _growing : _arriving;
            if (line.Count == 0 && (waiter.Growing || _growing.Count == 0) && MayEnter(waiter))
            {
                Grant(waiter);
                return;
            }
            waiter.Node = line.AddLast(waiter);
        }
        using (ct.Register(static state => ((Waiter)state!).Budget.Cancel((Waiter)state!), waiter))
            await waiter.Granted.Task.ConfigureAwait(false);
    }

    private void Cancel(Waiter waiter)
    {
        bool idle;
        lock (_lock)
        {
            if (waiter.Node is null)
                return;
            waiter.Node.List!.Remove(waiter.Node);
            waiter.Node = null;
            // The head leaving can let others in.
            Pump();
            idle = IsIdle;
        }
        waiter.Granted.TrySetCanceled();
        if (idle)
            BecameIdle?.Invoke();
    }

    // Under the lock.
    private bool MayEnter(Waiter waiter)
    {
        if (_inUse + waiter.Bytes <= Capacity)
            return true;
        // A lease about to work when no other works: the rest is uploads waiting behind it, which only it can move.
        // (Background leases, held for a video's whole run, do not count as working here.)
        if (waiter.Growing)
            return _working == 0 || (_working == 1 && waiter.Lease.Working && !waiter.Lease.Background);
        // A new lease alone (beside background leases only).
        return _inUse - _backgroundBytes == 0;
    }

    // Under the lock.
    private void Grant(Waiter waiter)
    {
        var lease = waiter.Lease;
        if (lease.Bytes == 0 && waiter.Bytes > 0)
            _holders++;
        lease.Bytes += waiter.Bytes;
        _inUse += waiter.Bytes;
        if (lease.Background)
            _backgroundBytes += waiter.Bytes;
        _peak = Math.Max(_peak, _inUse);
        if (waiter.Growing && !lease.Working)
        {
            lease.Working = true;
            if (!lease.Background)
                _working++;
        }
        waiter.Granted.TrySetResult();
    }

    // Under the lock: lets in whoever fits now, growing leases first, each line in order.
    private void Pump()
    {
        while (_growing.First is { } next && MayEnter(next.Value))
        {
            _growing.RemoveFirst();
            next.Value.Node = null;
            Grant(next.Value);
        }
        if (_growing.Count > 0)
            return;
        while (_arriving.First is { } next && MayEnter(next.Value))
        {
            _arriving.RemoveFirst();
            next.Value.Node = null;
            Grant(next.Value);
        }
    }

    private bool IsIdle => _inUse == 0 && _growing.Count == 0 && _arriving.Count == 0;

    internal void Release(MemoryLease lease)
    {
        bool idle;
        long released;
        List<Waiter> abandoned = [];
        lock (_lock)
        {
            lease.Released = true;
            // A grow still waiting for a lease given back has nothing left to grow.
            foreach (var line in new[] { _growing, _arriving })
            {
                for (var node = line.First; node is not null;)
                {
                    var following = node.Next;
                    if (node.Value.Lease == lease)
                    {
                        line.Remove(node);
                        node.Value.Node = null;
                        abandoned.Add(node.Value);
                    }
                    node = following;
                }
            }
            released = lease.Bytes;
            _inUse -= lease.Bytes;
            if (lease.Background)
                _backgroundBytes -= lease.Bytes;
            if (lease.Bytes > 0)
                _holders--;
            lease.Bytes = 0;
            if (lease.Working)
            {
                lease.Working = false;
                if (!lease.Background)
                    _working--;
            }
            Pump();
            idle = IsIdle;
        }
        foreach (var waiter in abandoned)
            waiter.Granted.TrySetException(new ObjectDisposedException(nameof(MemoryLease), "The lease was given back while it waited to grow."));
        if (released > 0)
            Released?.Invoke(released);
        if (idle)
            BecameIdle?.Invoke();
    }

    private sealed class Waiter(MemoryLease lease, long bytes, bool growing)
    {
        public MemoryLease Lease { get; } = lease;

        public MemoryBudget Budget => Lease.Budget;

        public long Bytes { get; } = bytes;

        public bool Growing { get; } = growing;

        public TaskCompletionSource Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }
}

/// <summary>
/// Bytes held in a <see cref="MemoryBudget"/>. Disposing it gives them back, unless work still holds it
/// (<see cref="Hold"/>): then they go back when that work ends too.
/// </summary>
public sealed class MemoryLease : IDisposable
{
    private readonly Lock _lock = new();
    private int _references = 1;

    internal MemoryLease(MemoryBudget budget) => Budget = budget;

    internal MemoryBudget Budget { get; }

    /// <summary>Bytes this lease holds (changed under the budget's lock).</summary>
    public long Bytes { get; internal set; }

    // Set under the budget's lock once the lease has grown: its request is working.
    internal bool Working { get; set; }

    // Set before it first waits: long-running work (MemoryBudget.AcquireBackgroundAsync).
    internal bool Background { get; init; }

    // Set under the budget's lock once its bytes went back.
    internal bool Released { get; set; }

    private bool _disposed;

    /// <summary>
    /// Adds <paramref name="bytes"/> to the lease, waiting until they fit; growing leases go before new ones, and one
    /// is let through past the budget when no other lease is working. Cancelling leaves the line and keeps what the lease held.
    /// </summary>
    public Task GrowAsync(long bytes, CancellationToken ct = default) => Budget.GrowAsync(this, bytes, ct);

    /// <summary>
    /// Keeps the bytes held until the returned handle is disposed as well as the lease: for work that may outlive its
    /// caller (a deadline answered while a decode still runs), so that they go back when the memory really is freed.
    /// </summary>
    public IDisposable Hold()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_references == 0, this);
            _references++;
        }
        return new Handle(this);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        Unreference();
    }

    private void Unreference()
    {
        lock (_lock)
        {
            if (_references == 0 || --_references > 0)
                return;
        }
        Budget.Release(this);
    }

    private sealed class Handle(MemoryLease lease) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                lease.Unreference();
        }
    }
}
