namespace Colorizer.Core.Restoration;

/// <summary>The repairs that can be made to a photo's lightness before it is colorized; none by default.</summary>
[Flags]
public enum RestorationSteps
{
    /// <summary>No repair.</summary>
    None = 0,

    /// <summary>Small bright or dark specks (dust, spots), found on the lightness and filled by inpainting.</summary>
    Dust = 1,

    /// <summary>Thin long bright or dark lines at any angle, found and filled by inpainting.</summary>
    Scratches = 2,

    /// <summary>Grain and noise, removed by edge-preserving (non-local means) denoising, as strong as the strength says.</summary>
    Noise = 4,

    /// <summary>Faded contrast: levels stretched and local contrast (CLAHE) brought back, as far as the photo is faded.</summary>
    Contrast = 8,
}
