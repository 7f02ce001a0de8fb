using System.Globalization;
using Colorizer.Core.Colorization;

namespace Colorizer.Core.Tests.Colorization;

public sealed class BackgroundPassThreadTests
{
    // The calling thread's nice value, as the kernel reports it (field 19 of /proc/thread-self/stat, after the name).
    private static int CurrentThreadNice()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task APass_RunsOnOneLoweredThread_AndReturnsItsResult()
    {
        int before = CurrentThreadNice();
        using var thread = new BackgroundPassThread("test passes");
        var first = await thread.RunAsync(() => (Nice: CurrentThreadNice(), Thread: Environment.CurrentManagedThreadId));
        var second = await thread.RunAsync(() => (Nice: CurrentThreadNice(), Thread: Environment.CurrentManagedThreadId));

        Assert.True(thread.IsLowered);
        Assert.Equal(Math.Min(19, before + BackgroundPassThread.Nice), first.Nice);
        Assert.Equal(first, second);
        Assert.NotEqual(Environment.CurrentManagedThreadId, first.Thread);
        // The caller's own priority is untouched.
        Assert.Equal(before, CurrentThreadNice());
    }

    [Fact]
    public async Task AFailingPass_FaultsItsTask_AndTheThreadRunsTheNextOne()
    {
        using var thread = new BackgroundPassThread("test passes");
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => thread.RunAsync<int>(() => throw new InvalidOperationException("the pass failed")));
        Assert.Equal("the pass failed", failure.Message);
        Assert.Equal(42, await thread.RunAsync(() => 42));
    }

    [Fact]
    public void APassGivenAfterDispose_IsRefused()
    {
        var thread = new BackgroundPassThread("test passes");
        thread.Dispose();
        Assert.Throws<ObjectDisposedException>(() => { _ = thread.RunAsync(() => 1); });
    }
}
