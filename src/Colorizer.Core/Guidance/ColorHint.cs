namespace Colorizer.Core.Guidance;

/// <summary>A point in image pixels (x to the right, y down, on the upright image).</summary>
public readonly record struct HintPoint(double X, double Y);

/// <summary>
/// One colour hint: "this spot should have this colour". A dot of <see cref="Radius"/> pixels at (<see cref="X"/>,
/// <see cref="Y"/>), or a short stroke when <see cref="Stroke"/> adds more points (the dot is then drawn as a line
/// through them). Coordinates are pixels of the upright, full-resolution image.
/// </summary>
public sealed record ColorHint(double X, double Y, double Radius, LabColor Color)
{
    /// <summary>The default radius, in pixels of the full-resolution image, when a hint gives none.</summary>
    public const double DefaultRadius = 8;

    /// <summary>The largest radius accepted.</summary>
    public const double MaxRadius = 2000;

    /// <summary>The most points a stroke may have.</summary>
    public const int MaxStrokePoints = 500;

    /// <summary>Further points of a stroke after (X, Y); empty for a dot.</summary>
    public IReadOnlyList<HintPoint> Stroke { get; init; } = [];

    /// <summary>Every point of the hint, (X, Y) first.</summary>
    public IEnumerable<HintPoint> Points => Stroke.Prepend(new HintPoint(X, Y));

    /// <summary>The same hint moved by (dx, dy), stroke included.</summary>
    public ColorHint MovedBy(double dx, double dy) => this with
    {
        X = X + dx,
        Y = Y + dy,
        Stroke = [.. Stroke.Select(p => new HintPoint(p.X + dx, p.Y + dy))],
    };

    /// <summary>
    /// Throws <see cref="InvalidHintsException"/> when a point lies outside a <paramref name="width"/>×<paramref name="height"/>
    /// image, the radius is not in (0, <see cref="MaxRadius"/>] or the colour is out of range.
    /// </summary>
    public void Validate(int width, int height, int index)
    {
        string where = $"Hint {index + 1}";
        foreach (var point in Points)
        {
            // Checked on its own: HintsJson validates before the image is known (with the largest size possible), and
            // a size in this message would then be meaningless.
            if (!double.IsFinite(point.X) || !double.IsFinite(point.Y) || point.X < 0 || point.Y < 0)
                throw new InvalidHintsException(
                    $"{where}: ({point.X:0.##}, {point.Y:0.##}) is outside the image; x and y are pixels from its top-left corner and cannot be negative.");
            if (point.X >= width || point.Y >= height)
                throw new InvalidHintsException(
                    $"{where}: ({point.X:0.##}, {point.Y:0.##}) is outside the {width}×{height} image; x must be in [0, {width}) and y in [0, {height}).");
        }
        if (!double.IsFinite(Radius) || Radius <= 0 || Radius > MaxRadius)
            throw new InvalidHintsException($"{where}: the radius must be more than 0 and at most {MaxRadius} pixels; got {Radius:0.##}.");
        if (Stroke.Count > MaxStrokePoints)
            throw new InvalidHintsException($"{where}: a stroke may have at most {MaxStrokePoints} points; got {Stroke.Count}.");
        Color.Validate(where);
    }

    /// <inheritdoc />
    public bool Equals(ColorHint? other) =>
        other is not null && X == other.X && Y == other.Y && Radius == other.Radius && Color == other.Color && Stroke.SequenceEqual(other.Stroke);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(X, Y, Radius, Color, Stroke.Count);
}
