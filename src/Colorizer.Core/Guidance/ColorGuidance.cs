namespace Colorizer.Core.Guidance;

/// <summary>
/// What the user adds to the network's colours: hints, and optionally a reference photo's palette. Applied on top of
/// the annealed mean, at any temperature and saturation, without another network pass.
/// </summary>
public sealed record ColorGuidance
{
    /// <summary>No guidance: the network's colours as they are.</summary>
    public static readonly ColorGuidance None = new();

    /// <summary>The hints, in the order they were placed (a later one wins where two overlap).</summary>
    public IReadOnlyList<ColorHint> Hints { get; init; } = [];

    /// <summary>The reference photo's palette, or null for the automatic colours.</summary>
    public ReferencePalette? Reference { get; init; }

    /// <summary>How the reference palette is applied.</summary>
    public ReferenceTransferMode TransferMode { get; init; } = ReferenceTransferMode.LuminanceBands;

    /// <summary>True when there is nothing to apply.</summary>
    public bool IsEmpty => Hints.Count == 0 && Reference is null;

    /// <summary>Checks every hint against a <paramref name="width"/>×<paramref name="height"/> image; throws <see cref="InvalidHintsException"/>.</summary>
    public void Validate(int width, int height)
    {
        if (Hints.Count > HintsJson.MaxHints)
            throw new InvalidHintsException($"There are {Hints.Count} hints; at most {HintsJson.MaxHints} are accepted.");
        for (int i = 0; i < Hints.Count; i++)
            Hints[i].Validate(width, height, i);
    }

    /// <inheritdoc />
    public bool Equals(ColorGuidance? other) =>
        other is not null && Hints.SequenceEqual(other.Hints) && ReferenceEquals(Reference, other.Reference) && TransferMode == other.TransferMode;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Hints.Count, Reference, TransferMode);
}
