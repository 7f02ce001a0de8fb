namespace Colorizer.Core.Colorization;

/// <summary>
/// One bounded queue for all colorization work of a process (the web page and the API share it). At most
/// <see cref="Concurrency"/> jobs run at once and at most <see cref="Capacity"/> wait; beyond that a new job is refused
/// at once with <see cref="WorkQueueFullException"/>, so overload is answered fast instead of piling up.
/// Waiting jobs learn their place in line.
/// </summary>
public sealed class WorkQueue
{
    private readonly Lock _lock = new();
    private readonly LinkedList<WorkTicket> _waiting = new();
    private int _running;

    // Completed (and replaced) whenever a job leaves, for callers that would rather wait for a place than be refused.
    private TaskCompletionSource? _room;

    /// <summary>Creates a queue.</summary>
    /// <param name="concurrency">Jobs that may run at once (at least 1). Two lets one job's decoding and encoding overlap another's forward pass.</param>
    /// <param name="capacity">Jobs that may wait (at least 0).</param>
    public WorkQueue(int concurrency, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Concurrency = concurrency;
        Capacity = capacity;
    }

    /// <summary>Jobs that may run at once.</summary>
    public int Concurrency { get; }

    /// <summary>Jobs that may wait.</summary>
    public int Capacity { get; }

    /// <summary>Jobs running now.</summary>
    public int Running
    {
        get { lock (_lock) return _running; }
    }

    /// <summary>Jobs waiting now.</summary>
    public int Waiting
    {
        get { lock (_lock) return _waiting.Count; }
    }

    /// <summary>
    /// Takes a place: a ticket that is already running, or waiting in line. Throws <see cref="WorkQueueFullException"/>
    /// when the line is full. Dispose the ticket when the job ends (or is abandoned) to free its place.
    /// </summary>
    public WorkTicket Enter()
    {
        lock (_lock)
        {
            var ticket = new WorkTicket(this);
            if (_running < Concurrency)
            {
                _running++;
                ticket.MarkRunning();
                ticket.Start();
                return ticket;
            }
            if (_waiting.Count >= Capacity)
                throw new WorkQueueFullException($"The server is busy: {Running} images are being colorized and {Capacity} are waiting. Try again in a few seconds.");
            ticket.Node = _waiting.AddLast(ticket);
            ticket.Position = _waiting.Count;
            return ticket;
        }
    }

    /// <summary>
    /// Completes once a new job could take a place (running or waiting) without being refused; at once when there is
    /// room now. Another caller may take that place first, so callers try <see cref="Enter"/> again and wait again
    /// if it is refused.
    /// </summary>
    public Task WaitForRoomAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_running < Concurrency || _waiting.Count < Capacity)
                return Task.CompletedTask;
            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _room.Task.WaitAsync(ct);
        }
    }

    internal void Leave(WorkTicket ticket)
    {
        TaskCompletionSource? room;
        List<WorkTicket> moved = [], started = [];
        lock (_lock)
        {
            if (ticket.Node is not null)
            {
                _waiting.Remove(ticket.Node);
                ticket.Node = null;
            }
            else if (ticket.CountedAsRunning)
            {
                ticket.CountedAsRunning = false;
                _running--;
            }
            else
            {
                return;
            }
            while (_running < Concurrency && _waiting.First is { } next)
            {
                _waiting.RemoveFirst();
                next.Value.Node = null;
                _running++;
                next.Value.MarkRunning();
                started.Add(next.Value);
            }
            int position = 0;
            foreach (var waiting in _waiting)
            {
                position++;
                if (waiting.Position != position)
                {
                    waiting.Position = position;
                    moved.Add(waiting);
                }
            }
            (room, _room) = (_room, null);
        }
        room?.TrySetResult();
        // Notify outside the lock: handlers may take other locks (a Blazor renderer's, for one).
        foreach (var next in started)
            next.Start();
        foreach (var waiting in moved)
            waiting.RaisePositionChanged();
    }
}

/// <summary>A place in the <see cref="WorkQueue"/>. Dispose it to leave.</summary>
public sealed class WorkTicket : IDisposable
{
    private readonly WorkQueue _queue;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    internal WorkTicket(WorkQueue queue) => _queue = queue;

    internal LinkedListNode<WorkTicket>? Node { get; set; }

    /// <summary>0 once running, otherwise the place in line (1 is next).</summary>
    public int Position { get; internal set; }

    /// <summary>True once the job may run.</summary>
    public bool IsRunning => _started.Task.IsCompleted;

    /// <summary>Raised (from another thread) when the place in line changes, including when the job starts.</summary>
    public event Action<WorkTicket>? PositionChanged;

    // Set under the queue's lock when the ticket takes a running slot, so leaving always gives the slot back.
    internal bool CountedAsRunning { get; set; }

    internal void MarkRunning()
    {
        CountedAsRunning = true;
        Position = 0;
    }

    internal void Start()
    {
        Position = 0;
        _started.TrySetResult();
        RaisePositionChanged();
    }

    internal void RaisePositionChanged() => PositionChanged?.Invoke(this);

    /// <summary>Waits until the job may run; cancelling leaves the line.</summary>
    public async Task WaitTurnAsync(CancellationToken ct = default)
    {
        try
        {
            await _started.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            _queue.Leave(this);
    }
}
