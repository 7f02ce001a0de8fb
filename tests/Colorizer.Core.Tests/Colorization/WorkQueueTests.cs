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
    public async Task AFreePlace_GoesToTheLeastServedClient_NotTheFirstInLine()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 8);
        var running = queue.Enter("flood", 3);
        using var flood1 = queue.Enter("flood", 3);
        using var flood2 = queue.Enter("flood", 3);
        using var ordinary = queue.Enter("other", 1);

        // The flooder has been served 3 already and has 6 more waiting: the other client's job is next.
        Assert.Equal(1, ordinary.Position);
        Assert.Equal(2, flood1.Position);
        running.Dispose();
        await ordinary.WaitTurnAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(flood1.IsRunning);
    }

    [Fact]
    public void OneClient_MayHoldAtMostHalfTheWaitingPlaces()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 4);
        using var running = queue.Enter("flood", 1);
        using var first = queue.Enter("flood", 1);
        using var second = queue.Enter("flood", 1);

        var error = Assert.Throws<WorkQueueFullException>(() => queue.Enter("flood", 1));
        Assert.Contains("its share of the line", error.Message);
        using var other = queue.Enter("other", 1);
        Assert.Equal(3, queue.Waiting);
    }

    [Fact]
    public void ExpensiveJobs_LeaveOneRunningPlaceFree_ForOrdinaryWork()
    {
        var queue = new WorkQueue(concurrency: 2, capacity: 8);
        using var big1 = queue.Enter("flood", WorkQueue.ExpensiveCost);
        using var big2 = queue.Enter("flood", WorkQueue.ExpensiveCost);
        Assert.True(big1.IsRunning);
        Assert.False(big2.IsRunning);

        using var small = queue.Enter("other", 1);
        Assert.True(small.IsRunning);
        Assert.Equal(2, queue.Running);
    }

    [Fact]
    public async Task AClientBackAfterAWhile_GetsNoCreditForItsAbsence()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 8);
        // "early" is served once and leaves; "busy" is then served five times in a row.
        queue.Enter("early", 1).Dispose();
        var busy = queue.Enter("busy", 1);
        for (int i = 0; i < 5; i++)
        {
            var next = queue.Enter("busy", 1);
            busy.Dispose();
            await next.WaitTurnAsync().WaitAsync(TimeSpan.FromSeconds(5));
            busy = next;
        }
        using var busyWaiting = queue.Enter("busy", 1);
        using var early = queue.Enter("early", 1);
        using var fresh = queue.Enter("fresh", 1);
        using var earlyAgain = queue.Enter("early", 1);

        // The returning client is level with a new one (one turn, not the five it missed), then turns alternate.
        Assert.Equal(1, early.Position);
        Assert.Equal(2, fresh.Position);
        Assert.Equal(3, busyWaiting.Position);
        Assert.Equal(4, earlyAgain.Position);
        busy.Dispose();
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
    public async Task WaitForRoom_WaitsWhileTheClientsOwnShareIsFull_NotOnlyTheLine()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 4);
        using var running = queue.Enter("other", 1);
        var first = queue.Enter("tab", 1);
        using var second = queue.Enter("tab", 1);

        // The line has room (2 of 4), but not for this client: waiting must not complete at once (a caller would spin).
        var room = queue.WaitForRoomAsync("tab", 1);
        Assert.False(room.IsCompleted);
        Assert.True(queue.WaitForRoomAsync("someone else", 1).IsCompleted);
        first.Dispose();
        await room.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void WaitForRoom_WaitsWhenOnlyTheExpensiveRuleKeepsAFreePlace()
    {
        var queue = new WorkQueue(concurrency: 2, capacity: 0);
        using var big = queue.Enter("flood", WorkQueue.ExpensiveCost);

        Assert.False(queue.WaitForRoomAsync("other", WorkQueue.ExpensiveCost).IsCompleted);
        Assert.True(queue.WaitForRoomAsync("other", 1).IsCompleted);
    }

    [Fact]
    public void ARefusedJob_CostsItsClientNothing()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 2);
        using var running = queue.Enter("a", 1);
        using var waiting = queue.Enter("b", 1);
        using var waiting2 = queue.Enter("c", 1);
        for (int i = 0; i < 10; i++)
            Assert.Throws<WorkQueueFullException>(() => queue.Enter("x", 100));
        waiting.Dispose();
        waiting2.Dispose();

        // x was refused ten times at cost 100; its next job is tagged at virtual time, level with a new client's.
        using var x = queue.Enter("x", 1);
        using var y = queue.Enter("y", 1);
        Assert.Equal(1, x.Position);
        Assert.Equal(2, y.Position);
    }

    [Fact]
    public void ACheapJobStartedOutOfOrder_DoesNotPushOthersBehindTheBacklog()
    {
        var queue = new WorkQueue(concurrency: 2, capacity: 8);
        using var big = queue.Enter("flood", WorkQueue.ExpensiveCost * 5);
        using var held1 = queue.Enter("flood", WorkQueue.ExpensiveCost * 5);
        using var held2 = queue.Enter("flood", WorkQueue.ExpensiveCost * 5);
        // The flooder's cheap job passes its own held-back expensive ones into the free place.
        using var cheap = queue.Enter("flood", 1);
        Assert.True(cheap.IsRunning);

        // Another client's expensive job is level with the flooder's next one, not behind its whole backlog.
        using var other = queue.Enter("other", WorkQueue.ExpensiveCost * 5);
        Assert.Equal(2, other.Position);
        Assert.Equal(3, held2.Position);
    }

    [Fact]
    public async Task WaitForRoom_IsCancellable()
    {
        var queue = new WorkQueue(concurrency: 1, capacity: 0);
        using var running = queue.Enter();
        using var cancel = new CancellationTokenSource();

        var room = queue.WaitForRoomAsync(ct: cancel.Token);
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
