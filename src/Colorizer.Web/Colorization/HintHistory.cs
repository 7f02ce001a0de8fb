using Colorizer.Core.Guidance;

namespace Colorizer.Web.Colorization;

/// <summary>
/// The hints of one image with their undo and redo stacks. Every edit (add, move, recolour, delete, clear, import)
/// pushes the previous list, so each can be undone on its own. Lists are immutable snapshots.
/// </summary>
public sealed class HintHistory
{
    // Generous for clicks and strokes, and bounded in points too, so imports of large hint files cannot pile up.
    private const int MaxUndo = 200;
    private const int MaxPoints = 200_000;
    private int _undoPoints;

    private readonly LinkedList<IReadOnlyList<ColorHint>> _undo = new();
    private readonly Stack<IReadOnlyList<ColorHint>> _redo = new();

    /// <summary>The hints now.</summary>
    public IReadOnlyList<ColorHint> Current { get; private set; } = [];

    /// <summary>True when there is an edit to undo.</summary>
    public bool CanUndo => _undo.Count > 0;

    /// <summary>True when there is an undone edit to redo.</summary>
    public bool CanRedo => _redo.Count > 0;

    /// <summary>
    /// Makes <paramref name="hints"/> current, as one undoable edit; a new edit clears the redo stack. An edit that
    /// changes nothing (a hint dropped where it was) is not recorded; returns false then.
    /// </summary>
    public bool Apply(IReadOnlyList<ColorHint> hints)
    {
        if (hints.SequenceEqual(Current))
            return false;
        Push(Current);
        _redo.Clear();
        Current = [.. hints];
        return true;
    }

    private static int PointCount(IReadOnlyList<ColorHint> hints) => hints.Sum(h => 1 + h.Stroke.Count);

    private void Push(IReadOnlyList<ColorHint> hints)
    {
        _undo.AddLast(hints);
        _undoPoints += PointCount(hints);
        while (_undo.Count > MaxUndo || (_undoPoints > MaxPoints && _undo.Count > 1))
        {
            _undoPoints -= PointCount(_undo.First!.Value);
            _undo.RemoveFirst();
        }
    }

    /// <summary>Starts over from <paramref name="hints"/> with no history (a gallery read back from disk keeps no undo steps).</summary>
    public void Restore(IReadOnlyList<ColorHint> hints)
    {
        _undo.Clear();
        _redo.Clear();
        _undoPoints = 0;
        Current = hints;
    }

    /// <summary>Goes back one edit; false when there is none.</summary>
    public bool Undo()
    {
        if (_undo.Last is not { } last)
            return false;
        _undo.RemoveLast();
        _undoPoints -= PointCount(last.Value);
        _redo.Push(Current);
        Current = last.Value;
        return true;
    }

    /// <summary>Goes forward one undone edit; false when there is none.</summary>
    public bool Redo()
    {
        if (!_redo.TryPop(out var next))
            return false;
        Push(Current);
        Current = next;
        return true;
    }
}
