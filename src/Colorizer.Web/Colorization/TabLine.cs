namespace Colorizer.Web.Colorization;

/// <summary>
/// A tab's own line in front of the shared <see cref="Core.Colorization.WorkQueue"/>: at most <see cref="Places"/> of
/// the tab's photos hold a place in the shared queue at once, and the rest wait here, in the order they arrived. A drop
/// of twenty photos therefore waits its turn instead of filling the server's line (and being refused by it), and other
/// tabs and API clients still find room.
/// </summary>
public sealed class TabLine
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(GalleryItem Item, TaskCompletionSource Turn)> _waiting = new();
    private readonly Action _changed;
    private int _places;
    private int _holding;

    /// <summary>Creates a line letting <paramref name="places"/> photos into the shared queue at once.</summary>
    /// <param name="places">At least 1.</param>
    /// <param name="changed">Called (outside the line's lock) when someone joins, leaves or moves up.</param>
    public TabLine(int places, Action changed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(places, 1);
        _places = places;
        _changed = changed;
    }

    /// <summary>How many of the tab's photos may be in the shared queue (running or waiting) at once.</summary>
    public int Places
    {
        get
        {
            lock (_lock)
                return _places;
        }
        internal set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            lock (_lock)
                _places = value;
        }
    }

    /// <summary>The photos waiting in the line, first first.</summary>
    public IReadOnlyList<GalleryItem> Waiting
    {
        get
        {
            lock (_lock)
                return [.. _waiting.Select(w => w.Item)];
        }
    }

    /// <summary>
    /// Waits until <paramref name="item"/> may go on to the shared queue. Dispose the result when its work is over, to
    /// let the next one go. Cancelling leaves the line.
    /// </summary>
    public async Task<IDisposable> EnterAsync(GalleryItem item, CancellationToken ct)
    {
        LinkedListNode<(GalleryItem Item, TaskCompletionSource Turn)> node;
        lock (_lock)
        {
            if (_holding < _places && _waiting.Count == 0)
            {
                _holding++;
                return new Place(this);
            }
            node = _waiting.AddLast((item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }
        _changed();
        try
        {
            await node.Value.Turn.Task.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            bool stillWaiting;
            lock (_lock)
            {
                stillWaiting = node.List is not null;
                if (stillWaiting)
                    _waiting.Remove(node);
            }
            // Handed a place just as it was cancelled: pass the place on.
            if (!stillWaiting)
                Release();
            _changed();
            throw;
        }
        return new Place(this);
    }

    private void Release()
    {
        TaskCompletionSource? next = null;
        lock (_lock)
        {
            // The place passes straight to the first in line while the line allows it; a lowered limit is met as
            // places come back.
            if (_holding <= _places && _waiting.First is { } first)
            {
                _waiting.RemoveFirst();
                next = first.Value.Turn;
            }
            else
            {
                _holding--;
            }
        }
        next?.TrySetResult();
        _changed();
    }

    private sealed class Place(TabLine line) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                line.Release();
        }
    }
}
