namespace Colorizer.Core.Imaging.Metadata;

/// <summary>A print resolution, in dots per inch, across and down.</summary>
public readonly record struct Resolution(double X, double Y)
{
    /// <summary>A resolution from dots per centimetre.</summary>
    public static Resolution FromPerCentimetre(double x, double y) => new(x * 2.54, y * 2.54);

    /// <summary>True when both values are positive and finite.</summary>
    public bool IsValid => X > 0 && Y > 0 && double.IsFinite(X) && double.IsFinite(Y);
}
