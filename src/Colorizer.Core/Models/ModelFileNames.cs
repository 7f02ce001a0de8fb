namespace Colorizer.Core.Models;

/// <summary>The upstream names of the three model files, as the authors publish them.</summary>
public static class ModelFileNames
{
    /// <summary>The trained weights (129 MB), downloaded on first use.</summary>
    public const string Weights = "colorization_release_v2.caffemodel";

    /// <summary>The network description. Optional in a models folder: a built-in copy is used when absent.</summary>
    public const string Prototxt = "colorization_deploy_v2.prototxt";

    /// <summary>The 313 ab bin centres. Optional in a models folder: a built-in copy is used when absent.</summary>
    public const string BinCentres = "pts_in_hull.npy";
}
