using Colorizer.Web.Colorization;

namespace Colorizer.Web.Tests.Colorization;

public sealed class MemoryBudgetTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Leases_AreChargedAndGivenBack()
    {
        var budget = new MemoryBudget(100);
        var a = await budget.AcquireAsync(30);
        await a.GrowAsync(20);
        var b = await budget.AcquireAsync(40);
        Assert.Equal(90, budget.InUse);
        Assert.Equal(2, budget.Holders);
        Assert.Equal(50, a.Bytes);
        a.Dispose();
        a.Dispose(); // once only
        Assert.Equal(40, budget.InUse);
        b.Dispose();
        Assert.Equal(0, budget.InUse);
        Assert.Equal(90, budget.Peak);
    }

    [Fact]
    public async Task ARequestThatDoesNotFit_WaitsUntilRoomIsGivenBack()
    {
        var budget = new MemoryBudget(100);
        var first = await budget.AcquireAsync(70);
        var second = budget.AcquireAsync(50);
        await Task.Delay(Short);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, budget.Waiting);
        Assert.Equal(50, budget.WaitingBytes);
        first.Dispose();
        using var lease = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(50, budget.InUse);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task NewLeases_AreServedInOrder_ALargeOneIsNotPassedBySmallOnes()
    {
        var budget = new MemoryBudget(100);
        var held = await budget.AcquireAsync(60);
        var large = budget.AcquireAsync(80);
        var small = budget.AcquireAsync(10);
        await Task.Delay(Short);
        Assert.False(large.IsCompleted);
        Assert.False(small.IsCompleted);
        held.Dispose();
        using var l = await large.WaitAsync(TimeSpan.FromSeconds(5));
        using var s = await small.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(90, budget.InUse);
    }

    [Fact]
    public async Task Cancelling_LeavesTheLine_AndLetsTheNextIn()
    {
        var budget = new MemoryBudget(100);
        var held = await budget.AcquireAsync(60);
        using var cancel = new CancellationTokenSource();
        var large = budget.AcquireAsync(80, cancel.Token);
        var small = budget.AcquireAsync(30);
        await Task.Delay(Short);
        Assert.False(small.IsCompleted);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large);
        using var s = await small.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(90, budget.InUse);
        held.Dispose();
        Assert.Equal(30, budget.InUse);
    }

    [Fact]
    public async Task CancellingAGrow_KeepsWhatTheLeaseHeld_AndDisposingGivesAllBack()
    {
        var budget = new MemoryBudget(100);
        var other = await budget.AcquireAsync(10);
        await other.GrowAsync(50);
        var lease = await budget.AcquireAsync(20);
        using var cancel = new CancellationTokenSource(Short);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lease.GrowAsync(40, cancel.Token));
        Assert.Equal(20, lease.Bytes);
        Assert.Equal(80, budget.InUse);
        lease.Dispose();
        other.Dispose();
        Assert.Equal(0, budget.InUse);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task ALoneRequestLargerThanTheBudget_IsServed_AndOthersWaitForIt()
    {
        var budget = new MemoryBudget(100);
        using (var alone = await budget.AcquireAsync(30).WaitAsync(TimeSpan.FromSeconds(5)))
        {
            await alone.GrowAsync(500).WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(530, budget.InUse);
            var next = budget.AcquireAsync(10);
            await Task.Delay(Short);
            Assert.False(next.IsCompleted);
            alone.Dispose();
            (await next.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        }
        // A new lease larger than everything, when nothing is held, is let in too.
        using var huge = await budget.AcquireAsync(1000).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1000, budget.InUse);
    }

    [Fact]
    public async Task WorkOnPixelsInHand_GoesBeforeUploads_WaitsBehindOtherWork_AndCancellingHoldsNothing()
    {
        var budget = new MemoryBudget(100);
        // An upload waits in line behind another: work on pixels memory holds already passes it.
        var upload = await budget.AcquireAsync(60);
        var nextUpload = budget.AcquireAsync(60);
        using (var work = await budget.AcquireWorkingAsync(30).WaitAsync(TimeSpan.FromSeconds(5)))
        {
            Assert.Equal(90, budget.InUse);
            Assert.False(nextUpload.IsCompleted);
            // Other work beside it must fit: it waits, and cancelling it leaves nothing held.
            using var cancel = new CancellationTokenSource();
            var more = budget.AcquireWorkingAsync(20, cancel.Token);
            await Task.Delay(Short);
            Assert.False(more.IsCompleted);
            Assert.Equal(2, budget.Waiting);
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => more);
            Assert.Equal(90, budget.InUse);
            Assert.Equal(2, budget.Holders);
        }
        Assert.Equal(60, budget.InUse);
        upload.Dispose();
        (await nextUpload.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, budget.InUse);
        Assert.Equal(0, budget.Holders);
    }

    [Fact]
    public async Task UploadsWaitingInLine_HoldTheirBytes_YetCannotBlockTheWorkForever()
    {
        // Three uploads are in (30 each); the first grows by 60 for its work although only 10 are free: no one else
        // works, and only its work can move the line, so it goes. The second's grow then waits for the first to end.
        var budget = new MemoryBudget(100);
        var uploads = new List<MemoryLease>();
        for (int i = 0; i < 3; i++)
            uploads.Add(await budget.AcquireAsync(30));
        var fourth = budget.AcquireAsync(30);
        await Task.Delay(Short);
        Assert.False(fourth.IsCompleted);
        await uploads[0].GrowAsync(60).WaitAsync(TimeSpan.FromSeconds(5));
        var secondWork = uploads[1].GrowAsync(60);
        await Task.Delay(Short);
        Assert.False(secondWork.IsCompleted);
        Assert.Equal(150, budget.InUse);
        uploads[0].Dispose();
        await secondWork.WaitAsync(TimeSpan.FromSeconds(5));
        // Growing leases go before new ones: the fourth upload still waits (60 + 30 + 90 over 100).
        await Task.Delay(Short);
        Assert.False(fourth.IsCompleted);
        uploads[1].Dispose();
        uploads[2].Dispose();
        (await fourth.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task ALongRunningLease_AVideosFrames_DoesNotKeepUploadsWaitingInLine_FromWorking()
    {
        // A video job holds its frames' charge for the minutes its run takes. Uploads that are in (holding their bytes)
        // fill the rest; the first one's grow does not fit. Only its work can move the line, as without the video:
        // it must go, not wait out its deadline with everyone behind it.
        var budget = new MemoryBudget(100);
        using var video = await budget.AcquireBackgroundAsync(10).WaitAsync(TimeSpan.FromSeconds(5));
        var uploads = new List<MemoryLease>();
        for (int i = 0; i < 3; i++)
            uploads.Add(await budget.AcquireAsync(30).WaitAsync(TimeSpan.FromSeconds(5)));
        await uploads[0].GrowAsync(60).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(160, budget.InUse);
        // The next grow waits for that work, as it would without the video.
        var secondWork = uploads[1].GrowAsync(60);
        await Task.Delay(Short);
        Assert.False(secondWork.IsCompleted);
        uploads[0].Dispose();
        await secondWork.WaitAsync(TimeSpan.FromSeconds(5));
        foreach (var upload in uploads)
            upload.Dispose();
        Assert.Equal(10, budget.InUse);
    }

    [Fact]
    public async Task ALongRunningLease_DoesNotKeepALoneRequestLargerThanWhatIsLeft_Out()
    {
        // A photo larger than the budget less a running video's frames is served beside it, as it is when alone; a
        // new upload larger than what is left gets in too (else it and everyone behind it wait out the deadline).
        var budget = new MemoryBudget(100);
        using var video = await budget.AcquireBackgroundAsync(30).WaitAsync(TimeSpan.FromSeconds(5));
        using (var work = await budget.AcquireWorkingAsync(90).WaitAsync(TimeSpan.FromSeconds(5)))
            Assert.Equal(120, budget.InUse);
        using (var upload = await budget.AcquireAsync(80).WaitAsync(TimeSpan.FromSeconds(5)))
            Assert.Equal(110, budget.InUse);
        Assert.Equal(30, budget.InUse);
    }

    [Fact]
    public async Task AHold_KeepsTheBytesUntilTheWorkEnds_EvenAfterTheOwnerDisposed()
    {
        var budget = new MemoryBudget(100);
        var lease = await budget.AcquireAsync(40);
        var hold = lease.Hold();
        lease.Dispose();
        Assert.Equal(40, budget.InUse);
        hold.Dispose();
        hold.Dispose();
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task AFailingJob_GivesItsBytesBack()
    {
        var budget = new MemoryBudget(100);
        async Task FailAsync()
        {
            using var lease = await budget.AcquireAsync(50);
            await lease.GrowAsync(30);
            throw new InvalidOperationException("the decoder failed");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(FailAsync);
        Assert.Equal(0, budget.InUse);
        Assert.Equal(0, budget.Holders);
    }

    [Fact]
    public async Task BecomingIdle_IsRaisedOnceNothingIsHeldOrWaiting()
    {
        var budget = new MemoryBudget(100);
        int idle = 0;
        budget.BecameIdle += () => Interlocked.Increment(ref idle);
        var a = await budget.AcquireAsync(60);
        var waiting = budget.AcquireAsync(60);
        a.Dispose();
        Assert.Equal(0, idle);
        (await waiting).Dispose();
        Assert.Equal(1, idle);
    }

    [Fact]
    public void Refuses_ANonPositiveBudget_AndNegativeCharges()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBudget(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = new MemoryBudget(10).AcquireAsync(-1); });
    }
}
