using Colorizer.Core.IO;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.IO;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Write_ReplacesTheTargetWholeAndLeavesNoTemporaryFile()
    {
        string path = _directory.File("out.png");
        await File.WriteAllTextAsync(path, "old");
        await AtomicFile.WriteAllBytesAsync(path, new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, await File.ReadAllBytesAsync(path));
        Assert.Single(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public async Task FailedWrite_LeavesTheOldFileAndNoTemporaryFile()
    {
        string path = _directory.File("out.png");
        await File.WriteAllTextAsync(path, "old");
        await Assert.ThrowsAsync<InvalidOperationException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[1000], ct);
            throw new InvalidOperationException("encoder died halfway");
        }));
        Assert.Equal("old", await File.ReadAllTextAsync(path));
        Assert.Single(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public async Task CancelledWrite_NeverCreatesTheTarget()
    {
        string path = _directory.File("new.png");
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[1000], ct);
            cancel.Cancel();
            ct.ThrowIfCancellationRequested();
        }, cancel.Token));
        Assert.Empty(Directory.GetFiles(_directory.Path));
    }

    [Fact]
    public void Leftovers_OlderThanTheCutoffAreCleaned_YoungerOnesKept()
    {
        string old = AtomicFile.TemporaryPathFor(_directory.File("a.png"));
        string young = AtomicFile.TemporaryPathFor(_directory.File("b.png"));
        string keep = _directory.File("c.png");
        File.WriteAllText(old, "x");
        File.WriteAllText(young, "x");
        File.WriteAllText(keep, "x");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-1));
        File.SetLastWriteTimeUtc(keep, DateTime.UtcNow.AddHours(-1));

        Assert.Equal(1, AtomicFile.CleanLeftovers(_directory.Path, TimeSpan.FromMinutes(15)));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(young));
        Assert.True(File.Exists(keep));
    }
}
