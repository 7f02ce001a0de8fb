using Colorizer.Core.Guidance;

namespace Colorizer.Web.Colorization;

/// <summary>
/// The hints of one image with their undo and redo stacks. Every edit (add, move, recolour, delete, clear, import)
/// pushes the previous list, so each can be undone on its own. Lists are immutable snapshots.
/// </summary>
public sealed class HintHistory
{
    // Generous, and each entry is a small list: a long editing session stays well under a megabyte.
    private const int MaxUndo = 200;

    private readonly LinkedList<IReadOnlyList<ColorHint>> _undo = new();
    private readonly Stack<IReadOnlyList<ColorHint>> _redo = new();

    /// <summary>The hints now.</summary>
    public IReadOnlyList<ColorHint> Current { get; private set; } = [];

    /// <summary>True when there is an edit to undo.</summary>
    public bool CanUndo => _undo.Count > 0;

    /// <summary>True when there is an undone edit to redo.</summary>
    public bool CanRedo => _redo.Count > 0;

    /// <summary>Makes <paramref name="hints"/> current, as one undoable edit; a new edit clears the redo stack.</summary>
    public void Apply(IReadOnlyList<ColorHint> hints)
    {
        _undo.AddLast(Current);
        if (_undo.Count > MaxUndo)
            _undo.RemoveFirst();
        _redo.Clear();
        Current = [.. hints];
    }

    /// <summary>Goes back one edit; false when there is none.</summary>
    public bool Undo()
    {
        if (_undo.Last is not { } last)
            return false;
        _undo.RemoveLast();
        _redo.Push(Current);
        Current = last.Value;
        return true;
    }

    /// <summary>Goes forward one undone edit; false when there is none.</summary>
    public bool Redo()
    {
        if (!_redo.TryPop(out var next))
            return false;
        _undo.AddLast(Current);
        Current = next;
        return true;
    }
}
