namespace Colorizer.Core.Colorization;

/// <summary>
/// One bounded queue for all colorization work of a process (the web page, the API and video jobs share it). At most
/// <see cref="Concurrency"/> jobs run at once and at most <see cref="Capacity"/> wait; beyond that a new job is refused
/// at once with <see cref="WorkQueueFullException"/>, so overload is answered fast instead of piling up.
/// Waiting jobs learn their place in line.
/// </summary>
/// <remarks>
/// <para>The line is fair by cost, not first come first served (start-time fair queuing): every job names its client
/// and its estimated cost (<see cref="Enter(string?, double)"/>). A job's start tag is the later of the queue's virtual
/// time (the start tag of the latest job started) and the end of its client's previous job (that job's start tag plus
/// its cost); a free place goes to the waiting job with the smallest start tag (ties: the earliest). A client that
/// floods the queue with expensive work therefore waits behind everyone else's ordinary work instead of in front of
/// it, and a client that was away earns no credit for it.</para>
/// <para>Two more rules keep ordinary work moving: a named client may hold at most half the waiting places, and jobs of
/// <see cref="ExpensiveCost"/> or more may fill at most <c>Concurrency − 1</c> running places, so an ordinary job never
/// waits for an expensive one to finish. (With one running place, there is nothing to keep free.)</para>
/// </remarks>
public sealed class WorkQueue
{
    /// <summary>The cost from which a job counts as expensive: four times a default job (e.g. a 448-pixel render).</summary>
    public const double ExpensiveCost = 4;

    private readonly Lock _lock = new();
    private readonly LinkedList<WorkTicket> _waiting = new();
    private readonly Dictionary<string, ClientShare> _clients = new(StringComparer.Ordinal);
    private int _running;
    private int _runningExpensive;
    private long _arrivals;
    private double _virtualTime;

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

    /// <summary>Waiting places one client may hold: half the line (at least one).</summary>
    public int CapacityPerClient => Math.Max(1, Capacity / 2);

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

    /// <summary>Takes a place for a job of cost 1 from an unnamed client; see <see cref="Enter(string?, double)"/>.</summary>
    public WorkTicket Enter() => Enter(null, 1);

    /// <summary>
    /// Takes a place for a job of <paramref name="client"/> (null: one shared anonymous client) costing
    /// <paramref name="cost"/> (1 is a default job): a ticket that is already running, or waiting in line. Throws
    /// <see cref="WorkQueueFullException"/> when the line, or this client's share of it, is full. Dispose the ticket
    /// when the job ends (or is abandoned) to free its place.
    /// </summary>
    public WorkTicket Enter(string? client, double cost)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cost);
        List<WorkTicket> moved;
        WorkTicket ticket;
        lock (_lock)
        {
            string key = client ?? "";
            _clients.TryGetValue(key, out var known);
            int waitingOfClient = known?.Waiting ?? 0;
            bool startNow = _running < Concurrency && MayStart(cost);
            if (!startNow && _waiting.Count >= Capacity)
                throw new WorkQueueFullException($"The server is busy: {_running} images are being colorized and {_waiting.Count} are waiting. Try again in a few seconds.");
            if (!startNow && client is not null && waitingOfClient >= CapacityPerClient)
                throw new WorkQueueFullException($"The server is busy: this client already has {waitingOfClient} images waiting, its share of the line. Try again when one has finished.");
            // Admitted: only now is the client's share made and charged, so a refusal costs it nothing.
            var share = Share(key);
            double startTag = Math.Max(_virtualTime, share.LastFinish);
            share.LastFinish = startTag + cost;
            ticket = new WorkTicket(this) { Client = key, Cost = cost, Arrival = ++_arrivals, StartTag = startTag };
            if (startNow)
            {
                Start(ticket, share);
                ticket.Start();
                return ticket;
            }
            share.Waiting++;
            ticket.Node = _waiting.AddLast(ticket);
            moved = Renumber();
        }
        foreach (var waiting in moved)
        {
            if (waiting != ticket)
                waiting.RaisePositionChanged();
        }
        return ticket;
    }

    /// <summary>
    /// Completes once a job of <paramref name="client"/> costing <paramref name="cost"/> could take a place (running or
    /// waiting) without being refused — by the line, by the client's share of it, or by the rule for expensive jobs —;
    /// at once when it could now. Another caller may take that place first, so callers try
    /// <see cref="Enter(string?, double)"/> again and wait again if it is refused.
    /// </summary>
    public Task WaitForRoomAsync(string? client = null, double cost = 1, CancellationToken ct = default)
    {
        ct.ThrowIfCancellationRequested();
        lock (_lock)
        {
            bool startNow = _running < Concurrency && MayStart(cost);
            int waitingOfClient = _clients.TryGetValue(client ?? "", out var known) ? known.Waiting : 0;
            if (startNow || (_waiting.Count < Capacity && (client is null || waitingOfClient < CapacityPerClient)))
                return Task.CompletedTask;
            _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _room.Task.WaitAsync(ct);
        }
    }

    internal void Leave(WorkTicket ticket)
    {
        TaskCompletionSource? room;
        List<WorkTicket> moved, started = [];
        lock (_lock)
        {
            var share = Share(ticket.Client);
            if (ticket.Node is not null)
            {
                _waiting.Remove(ticket.Node);
                ticket.Node = null;
                share.Waiting--;
            }
            else if (ticket.CountedAsRunning)
            {
                ticket.CountedAsRunning = false;
                _running--;
                share.Running--;
                if (ticket.Cost >= ExpensiveCost)
                    _runningExpensive--;
            }
            else
            {
                return;
            }
            while (_running < Concurrency && Next() is { } next)
            {
                _waiting.Remove(next.Node!);
                next.Node = null;
                var nextShare = Share(next.Client);
                nextShare.Waiting--;
                Start(next, nextShare);
                started.Add(next);
            }
            moved = Renumber();
            Forget();
            (room, _room) = (_room, null);
        }
        room?.TrySetResult();
        // Notify outside the lock: handlers may take other locks (a Blazor renderer's, for one).
        foreach (var next in started)
            next.Start();
        foreach (var waiting in moved)
            waiting.RaisePositionChanged();
    }

    // An expensive job may not take the last free running place (while there is more than one).
    private bool MayStart(double cost) =>
        Concurrency == 1 || cost < ExpensiveCost || _runningExpensive < Concurrency - 1;

    private void Start(WorkTicket ticket, ClientShare share)
    {
        _running++;
        share.Running++;
        // Virtual time follows the jobs started, but never past a job still waiting: a job started out of order (a cheap
        // one passing expensive ones held back) must not push everyone's next tag behind that backlog.
        double earliestWaiting = double.MaxValue;
        foreach (var waiting in _waiting)
        {
            if (waiting != ticket && waiting.StartTag < earliestWaiting)
                earliestWaiting = waiting.StartTag;
        }
        _virtualTime = Math.Max(_virtualTime, Math.Min(ticket.StartTag, earliestWaiting));
        if (ticket.Cost >= ExpensiveCost)
            _runningExpensive++;
        ticket.MarkRunning();
    }

    // The waiting job that runs next: the smallest start tag, then the earliest; one that may not start yet is passed over.
    private WorkTicket? Next()
    {
        WorkTicket? best = null;
        foreach (var waiting in _waiting)
        {
            if (MayStart(waiting.Cost) && (best is null || waiting.StartTag < best.StartTag))
                best = waiting;
        }
        return best;
    }

    // Places in line, in the order they will be served if nothing changes. Returns the tickets whose place changed.
    private List<WorkTicket> Renumber()
    {
        // Expensive jobs held back by the running-place rule go after those that may start.
        var order = _waiting.OrderBy(t => MayStart(t.Cost) ? 0 : 1).ThenBy(t => t.StartTag).ThenBy(t => t.Arrival).ToList();
        var moved = new List<WorkTicket>();
        for (int i = 0; i < order.Count; i++)
        {
            if (order[i].Position != i + 1)
            {
                order[i].Position = i + 1;
                moved.Add(order[i]);
            }
        }
        return moved;
    }

    private ClientShare Share(string client)
    {
        if (!_clients.TryGetValue(client, out var share))
        {
            share = new ClientShare();
            _clients[client] = share;
        }
        return share;
    }

    // Idle clients are forgotten once the table grows: their count only matters against active ones.
    private void Forget()
    {
        if (_clients.Count <= 256)
            return;
        foreach (var (client, share) in _clients.ToList())
        {
            // One still ahead of virtual time keeps its debt: being away a moment must not clear it.
            if (share.IsIdle && share.LastFinish <= _virtualTime)
                _clients.Remove(client);
        }
    }

    private sealed class ClientShare
    {
        // Where the client's latest job ends in virtual time: its next job starts no earlier.
        public double LastFinish { get; set; }

        public int Running { get; set; }

        public int Waiting { get; set; }

        public bool IsIdle => Running == 0 && Waiting == 0;
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

    internal string Client { get; init; } = "";

    internal double Cost { get; init; } = 1;

    internal long Arrival { get; init; }

    internal double StartTag { get; init; }

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
