using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;

namespace Colorizer.Web.Components.Gallery;

/// <summary>
/// What the hint editor of one card remembers between clicks: the selected hint, the brush (size and colour) and the
/// palette of likely colours at the selected spot. Lives in the card while the editor is open.
/// </summary>
public sealed class HintEditorState
{
    /// <summary>The brush sizes offered, as a share of the image's longer side (0.5 % … 10 %).</summary>
    public const double MinBrush = 0.5, MaxBrush = 10, DefaultBrush = 2;

    /// <summary>The selected hint's index, or −1.</summary>
    public int Selected { get; set; } = -1;

    /// <summary>The radius of new hints, in percent of the image's longer side.</summary>
    public double BrushPercent { get; set; } = DefaultBrush;

    /// <summary>The colour of new hints once the user has picked one; before that, a new hint takes the likeliest colour at its spot.</summary>
    public LabColor? BrushColor { get; set; }

    /// <summary>The likely colours at the selected hint's spot, likeliest first.</summary>
    public IReadOnlyList<LikelyColor> Palette { get; set; } = [];

    /// <summary>The radius of a new hint on a <paramref name="width"/>×<paramref name="height"/> image, in its pixels.</summary>
    public double RadiusFor(int width, int height) => Math.Max(1, BrushPercent / 100 * Math.Max(width, height));
}
