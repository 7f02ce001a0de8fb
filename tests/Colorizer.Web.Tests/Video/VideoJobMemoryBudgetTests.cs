using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Colorizer.Web.Video;

namespace Colorizer.Web.Tests.Video;

/// <summary>
/// A video job is charged its frames' working set in the memory budget for images in flight, from before it takes its
/// slot until its run ends: while the budget is full it waits (queued, saying so) rather than fails, and it gives the
/// bytes back when it ends, is cancelled or is paused.
/// </summary>
public sealed class VideoJobMemoryBudgetTests
{
    private const int Width = 160, Height = 120;
    private static readonly long FrameCharge = new AdmissionOptions().EstimateWorkingSet(Width, Height);

    // A budget of 1 MiB, which one 160 × 120 frame's working set (192,000 bytes) fits.
    private static Task<VideoJobHarness> StartAsync() => VideoJobHarness.StartAsync(memoryBudget: 1L << 20);

    private static void AssertNothingHeld(MemoryBudget budget)
    {
        Assert.Equal(0, budget.InUse);
        Assert.Equal(0, budget.Holders);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task WithTheBudgetFull_AJobWaitsQueued_ThenHoldsItsFramesWorkingSet_AndGivesItBackWhenDone()
    {
        await using var harness = await StartAsync();
        var budget = harness.Budget;
        var queue = harness.Queue;
        VideoJobSnapshot job;
        using (var full = await budget.AcquireWorkingAsync(budget.Capacity))
        {
            job = await harness.CreateAsync(harness.WriteVideo("porch.avi", frames: 24, Width, Height));
            await harness.WaitForAsync(job.Id, j => j.Note == VideoJobService.WaitingForMemoryNote);
            await Task.Delay(300);
            Assert.Equal(VideoJobState.Queued, harness.Service.Find(job.Id)!.State);
            Assert.Equal(1, budget.Waiting);
            Assert.Equal(0, queue.Running + queue.Waiting);

            // Room again, but both slots are the test's: the job waits for one holding its frames' bytes.
            using (queue.Enter())
            using (queue.Enter())
            {
                full.Dispose();
                await Waiting.UntilAsync(() => queue.Waiting == 1, "the job, charged, to wait for a slot");
                Assert.Equal(FrameCharge, budget.InUse);
                Assert.Equal(VideoJobState.Queued, harness.Service.Find(job.Id)!.State);
            }
        }

        var done = await harness.WaitForEndAsync(job.Id);
        Assert.Equal(VideoJobState.Done, done.State);
        Assert.Equal(24, done.Result!.Frames);
        AssertNothingHeld(budget);
    }

    [Fact]
    public async Task WhileItRuns_AJobHoldsItsFramesWorkingSet_AndCancellingGivesItBack()
    {
        await using var harness = await StartAsync();
        var budget = harness.Budget;
        var job = await harness.CreateAsync(harness.WriteVideo("long.avi", frames: 500, Width, Height));
        await harness.WaitForAsync(job.Id, j => j.Progress is { FramesDone: > 0 } || j.IsFinished);
        Assert.Equal(VideoJobState.Running, harness.Service.Find(job.Id)!.State);
        Assert.Equal(FrameCharge, budget.InUse);

        Assert.True(harness.Service.Cancel(job.Id));
        Assert.Equal(VideoJobState.Cancelled, (await harness.WaitForEndAsync(job.Id)).State);
        AssertNothingHeld(budget);
    }

    [Fact]
    public async Task CancelledWhileWaitingForRoom_AJobHoldsNothing_AndTheNextOneRuns()
    {
        await using var harness = await StartAsync();
        var budget = harness.Budget;
        VideoJobSnapshot next;
        using (await budget.AcquireWorkingAsync(budget.Capacity))
        {
            var first = await harness.CreateAsync(harness.WriteVideo("first.avi", frames: 10, Width, Height));
            await harness.WaitForAsync(first.Id, j => j.Note == VideoJobService.WaitingForMemoryNote);
            next = await harness.CreateAsync(harness.WriteVideo("next.avi", frames: 10, Width, Height));

            Assert.True(harness.Service.Cancel(first.Id));
            Assert.Equal(VideoJobState.Cancelled, (await harness.WaitForEndAsync(first.Id)).State);
            await harness.WaitForAsync(next.Id, j => j.Note == VideoJobService.WaitingForMemoryNote);
            Assert.Equal(budget.Capacity, budget.InUse);
            Assert.Equal(1, budget.Waiting);
        }

        Assert.Equal(VideoJobState.Done, (await harness.WaitForEndAsync(next.Id)).State);
        AssertNothingHeld(budget);
    }
}
