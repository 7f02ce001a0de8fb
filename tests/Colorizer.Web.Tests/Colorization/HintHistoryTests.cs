using Colorizer.Core.Guidance;
using Colorizer.Web.Colorization;

namespace Colorizer.Web.Tests.Colorization;

public sealed class HintHistoryTests
{
    private static ColorHint Hint(double x) => new(x, 10, 5, LabColor.FromHex("#c83232"));

    [Fact]
    public void UndoAndRedoWalkThroughEveryEdit()
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
    public void ANewEditClearsTheRedoStack()
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
}
