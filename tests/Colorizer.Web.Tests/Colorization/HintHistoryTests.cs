using Colorizer.Core.Guidance;
using Colorizer.Web.Colorization;

namespace Colorizer.Web.Tests.Colorization;

public sealed class HintHistoryTests
{
    private static ColorHint Hint(double x) => new(x, 10, 5, LabColor.FromHex("#c83232"));

    [Fact]
    public void UndoAndRedo_WalkThroughEveryEdit()
    {
        var history = new HintHistory();
        history.Apply([Hint(1)]);
        history.Apply([Hint(1), Hint(2)]);
        history.Apply([Hint(2)]);

        Assert.True(history.Undo());
        Assert.Equal([Hint(1), Hint(2)], history.Current);
        Assert.True(history.Undo());
        Assert.Equal([Hint(1)], history.Current);
        Assert.True(history.Undo());
        Assert.Empty(history.Current);
        Assert.False(history.Undo());
        Assert.False(history.CanUndo);

        Assert.True(history.Redo());
        Assert.True(history.Redo());
        Assert.Equal([Hint(1), Hint(2)], history.Current);
        Assert.True(history.CanRedo);
    }

    [Fact]
    public void ANewEdit_ClearsTheRedoStack()
    {
        var history = new HintHistory();
        history.Apply([Hint(1)]);
        history.Apply([Hint(2)]);
        history.Undo();

        history.Apply([Hint(3)]);

        Assert.False(history.CanRedo);
        Assert.False(history.Redo());
        Assert.Equal([Hint(3)], history.Current);
        history.Undo();
        Assert.Equal([Hint(1)], history.Current);
    }

    [Fact]
    public void AnEditThatChangesNothing_IsNotRecorded()
    {
        var history = new HintHistory();
        Assert.True(history.Apply([Hint(1)]));

        Assert.False(history.Apply([Hint(1)]));

        Assert.True(history.Undo());
        Assert.Empty(history.Current);
        Assert.False(history.CanUndo);
    }

    [Fact]
    public void LargeHintLists_AreForgottenOldestFirst()
    {
        var history = new HintHistory();
        var big = Enumerable.Range(0, 100).Select(i => Hint(i) with { Stroke = [.. Enumerable.Range(0, 499).Select(j => new HintPoint(j, j))] }).ToList();
        // 50 000 points a list: the undo stack keeps about four of them, not two hundred.
        for (int round = 0; round < 10; round++)
            history.Apply([.. big.Skip(round % 2).Prepend(Hint(1000 + round))]);

        int undos = 0;
        while (history.Undo())
            undos++;
        Assert.InRange(undos, 1, 5);
    }
}
