using Colorizer.Core;
using Colorizer.Core.Guidance;
using Colorizer.Web.Colorization;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Colorizer.Web.Components.Gallery;

/// <summary>
/// The hint edits that the layer (pointer and keys) and the panel (buttons and palette) both make, in one place: each
/// goes through the session as one undoable edit, and the card renders again at once, before the preview follows.
/// </summary>
internal sealed class HintEditor(ColorizationSession session, GalleryItem item, HintEditorState state, ISnackbar snackbar, EventCallback changed)
{
    /// <summary>Makes <paramref name="hints"/> the item's hints; a refusal (e.g. one hint too many) leaves them as they were and says why.</summary>
    public async Task ApplyAsync(IReadOnlyList<ColorHint> hints)
    {
        try
        {
            var update = session.SetHintsAsync(item, hints);
            await changed.InvokeAsync();
            await update;
        }
        catch (InvalidHintsException ex)
        {
            // A selection made for the refused edit (a hint that was to be added) points at nothing.
            if (state.Selected >= item.Hints.Current.Count)
                state.Selected = -1;
            snackbar.Add(ex.Message, Severity.Warning);
            await changed.InvokeAsync();
        }
    }

    /// <summary>Removes the selected hint, if any.</summary>
    public Task DeleteSelectedAsync()
    {
        int index = state.Selected;
        if (index < 0 || index >= item.Hints.Current.Count)
            return Task.CompletedTask;
        state.Selected = -1;
        state.Palette = [];
        return ApplyAsync([.. item.Hints.Current.Where((_, i) => i != index)]);
    }

    /// <summary>Goes back one edit.</summary>
    public async Task UndoAsync()
    {
        state.Selected = -1;
        await session.UndoHintAsync(item);
        await changed.InvokeAsync();
    }

    /// <summary>Goes forward one undone edit.</summary>
    public async Task RedoAsync()
    {
        state.Selected = -1;
        await session.RedoHintAsync(item);
        await changed.InvokeAsync();
    }
}
