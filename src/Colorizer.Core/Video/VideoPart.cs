using System.Globalization;

namespace Colorizer.Core.Video;

/// <summary>
/// The <see cref="Number"/>-th of <see cref="Count"/> equal spans of a video (1-based), in whole segments, so that
/// many machines can colorize one video and <see cref="VideoParts.JoinAsync"/> can join what they wrote.
/// </summary>
public readonly record struct VideoPart(int Number, int Count)
{
    /// <summary>The most parts a video is split into.</summary>
    public const int MaxCount = 10_000;

    /// <summary>Reads <c>K/N</c>; null with <paramref name="error"/> saying why when it is not 1 ≤ K ≤ N ≤ <see cref="MaxCount"/>.</summary>
    public static VideoPart? Parse(string text, out string? error)
    {
        var pieces = text.Split('/');
        if (pieces.Length == 2
            && int.TryParse(pieces[0], NumberStyles.None, CultureInfo.InvariantCulture, out int number)
            && int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count is >= 1 and <= MaxCount && number >= 1 && number <= count)
        {
            error = null;
            return new VideoPart(number, count);
        }
        error = $"--part must be K/N with 1 ≤ K ≤ N ≤ {MaxCount} (e.g. 3/32); got '{text}'.";
        return null;
    }

    /// <summary>This part's segments, [first, end), of a video of <paramref name="segments"/> segments; the last part runs to the end.</summary>
    internal (int First, int End) Span(int segments) =>
        ((int)((long)(Number - 1) * segments / Count), Number == Count ? int.MaxValue : (int)((long)Number * segments / Count));

    /// <summary>The name of this part's manifest in the parts folder.</summary>
    internal string ManifestName => $"part-{Number}-of-{Count}.json";

    /// <inheritdoc/>
    public override string ToString() => $"{Number}/{Count}";
}
