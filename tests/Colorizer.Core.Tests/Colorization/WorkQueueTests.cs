using Colorizer.Core.Colorization;

namespace Colorizer.Core.Tests.Colorization;

public sealed class WorkQueueTests
{
    [Fact]
    public void JobsBeyondConcurrency_WaitInLineWithTheirPlace()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 3);
        using var first = queue.Enter();
        using var second = queue.Enter();
        using var third = queue.Enter();
        Assert.True(first.IsRunning);
        Assert.Equal(0, first.Position);
        Assert.False(second.IsRunning);
        Assert.Equal(1, second.Position);
        Assert.Equal(2, third.Position);
    }

    [Fact]
    public void FullQueue_RefusesAtOnce()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 1);
        using var running = queue.Enter();
        using var waiting = queue.Enter();
        var error = Assert.Throws<WorkQueueFullException>(() => queue.Enter());
        Assert.Contains("busy", error.Message);
        Assert.Equal(1, queue.Running);
        Assert.Equal(1, queue.Waiting);
    }

    [Fact]
    public async Task WaitForRoom_CompletesAtOnceWithRoom_AndWhenAFullLineLetsSomeoneGo()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 1);
        Assert.True(queue.WaitForRoomAsync().IsCompleted);
        var running = queue.Enter();
        Assert.True(queue.WaitForRoomAsync().IsCompleted);
        using var waiting = queue.Enter();

        var room = queue.WaitForRoomAsync();
        Assert.False(room.IsCompleted);
        running.Dispose();
        await room.WaitAsync(TimeSpan.FromSeconds(5));

        // The waiter moved up into the running place, so there is room to wait again.
        using var next = queue.Enter();
        Assert.Equal(1, next.Position);
    }

    [Fact]
    public async Task WaitForRoom_IsCancellable()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 0);
        using var running = queue.Enter();
        using var cancel = new CancellationTokenSource();

        var room = queue.WaitForRoomAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => room);
    }

    [Fact]
    public async Task Leaving_StartsTheNextAndMovesTheLineUp()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 2);
        var first = queue.Enter();
        using var second = queue.Enter();
        using var third = queue.Enter();
        var moves = new List<int>();
        third.PositionChanged += t => moves.Add(t.Position);

        first.Dispose();
        await second.WaitTurnAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(second.IsRunning);
        Assert.Equal(1, third.Position);
        Assert.Equal([1], moves);
        Assert.Equal(1, queue.Running);
        Assert.Equal(1, queue.Waiting);
    }

    [Fact]
    public async Task CancelledWaiter_LeavesTheLine()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 2);
        using var running = queue.Enter();
        var waiting = queue.Enter();
        using var cancel = new CancellationTokenSource();
        var wait = waiting.WaitTurnAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.Equal(0, queue.Waiting);
        running.Dispose();
        Assert.Equal(0, queue.Running);
    }

    [Fact]
    public void DisposingTwice_FreesOnePlaceOnly()
    {
        var queue = new WorkQueue(concurrency: 2, capacity: 0);
        var a = queue.Enter();
        using var b = queue.Enter();
        a.Dispose();
        a.Dispose();
        Assert.Equal(1, queue.Running);
        using var c = queue.Enter();
        Assert.Throws<WorkQueueFullException>(() => queue.Enter());
    }
}
