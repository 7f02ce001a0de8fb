using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;

namespace Colorizer.Web.Colorization;

/// <summary>
/// Another model's prediction for a gallery item's photo, shown beside the card's own result with the same vividness,
/// saturation and guidance. Only the prediction is kept (the photo's pixels are the item's).
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Prediction">Its output for the photo.</param>
/// <param name="Bins">The bins it decodes with (the 2016 network's; unused by the others).</param>
public sealed record ModelComparison(ColorModel Model, ChromaPrediction Prediction, BinCentres Bins)
{
    /// <summary>The display-size preview, with the card's current settings (in memory only: comparisons are not kept on disk).</summary>
    public PreviewImage? Preview { get; set; }
}
