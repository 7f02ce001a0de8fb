using Colorizer.Core.Native;

namespace Colorizer.Core.Colorization;

/// <summary>
/// One long-lived thread, at a lower scheduling priority (nice <see cref="Nice"/>), that runs the engine's expensive
/// forward passes. When a small photo's pass runs beside a large one's, the scheduler then gives the small one the
/// cores it needs instead of splitting them evenly; alone, the large pass runs at full speed (a nice value only
/// matters when threads compete). A thread of its own because an unprivileged process cannot raise a thread's
/// priority back: a pool thread lowered for one pass would stay low for everything it ran afterwards.
/// </summary>
internal sealed class BackgroundPassThread : IDisposable
{
    /// <summary>The nice value the thread runs at: ten steps lower, about a tenth of a core's share against a normal thread.</summary>
    public const int Nice = 10;

    private readonly System.Collections.Concurrent.BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    public BackgroundPassThread(string name)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Whether the thread's priority was lowered (false off Linux, or where setpriority is refused).</summary>
    public bool IsLowered { get; private set; }

    /// <summary>Runs <paramref name="pass"/> on the thread and completes with its result or exception.</summary>
    public Task<T> RunAsync<T>(Func<T> pass)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _work.Add(() =>
            {
                try
                {
                    done.SetResult(pass());
                }
                catch (Exception ex)
                {
                    done.SetException(ex);
                }
            });
        }
        catch (InvalidOperationException)
        {
            throw new ObjectDisposedException(nameof(BackgroundPassThread));
        }
        return done.Task;
    }

    private void Run()
    {
        IsLowered = LibC.TrySetCurrentThreadNice(Nice);
        foreach (var item in _work.GetConsumingEnumerable())
            item();
    }

    /// <summary>Lets the thread finish what it was given, then ends it.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }
}
