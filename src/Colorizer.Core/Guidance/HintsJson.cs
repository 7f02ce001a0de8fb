using System.Text.Json;
using System.Text.Json.Serialization;

namespace Colorizer.Core.Guidance;

/// <summary>
/// Reads and writes colour hints as JSON: a list of <c>{"x", "y", "radius", "color": "#rrggbb"}</c> or
/// <c>{"x", "y", "radius", "lab": [L, a, b]}</c>, with an optional <c>"stroke": [[x, y], …]</c> of further points.
/// The same format serves the API, the web page's export and import, and the CLI's <c>--hints</c>.
/// </summary>
public static class HintsJson
{
    /// <summary>The most hints one image may carry.</summary>
    public const int MaxHints = 256;

    /// <summary>The largest hints document read (stroke points included, this is generous).</summary>
    public const int MaxBytes = 1 << 20;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 8,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    /// <summary>
    /// Parses a hints document. Checks the shape, the colours and the radii; positions are checked against the image
    /// later (<see cref="ColorHint.Validate"/>), since the JSON does not know the image. Throws
    /// <see cref="InvalidHintsException"/> with the place and reason of the first problem.
    /// </summary>
    public static IReadOnlyList<ColorHint> Parse(string json)
    {
        if (json.Length > MaxBytes)
            throw new InvalidHintsException($"The hints are {json.Length:N0} characters; at most {MaxBytes:N0} are accepted.");
        List<HintDocument>? documents;
        try
        {
            documents = JsonSerializer.Deserialize<List<HintDocument>>(json, Options);
        }
        catch (JsonException ex)
        {
            string where = ex.Path is { Length: > 1 } path ? $" at {path}" : "";
            throw new InvalidHintsException($"The hints are not valid: expected a JSON list of {{x, y, radius, color or lab}}{where} ({FirstSentence(ex.Message)}).", ex);
        }
        if (documents is null)
            throw new InvalidHintsException("The hints are null; send a JSON list, [] for none.");
        if (documents.Count > MaxHints)
            throw new InvalidHintsException($"There are {documents.Count} hints; at most {MaxHints} are accepted.");
        return [.. documents.Select((d, i) => d.ToHint(i))];
    }

    /// <summary>Writes hints as an indented JSON list that <see cref="Parse"/> reads back to equal hints.</summary>
    public static string Serialize(IEnumerable<ColorHint> hints) =>
        JsonSerializer.Serialize(hints.Select(HintDocument.From).ToList(), Indented);

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.');
    }

    // The wire shape; everything optional so that a missing member gets a specific message, not a generic one.
    private sealed class HintDocument
    {
        public double? X { get; set; }
        public double? Y { get; set; }
        public double? Radius { get; set; }
        public string? Color { get; set; }
        public double[]? Lab { get; set; }
        public double[][]? Stroke { get; set; }

        public static HintDocument From(ColorHint hint) => new()
        {
            X = hint.X,
            Y = hint.Y,
            Radius = hint.Radius,
            // The hex is for people reading the file; the Lab triple is exact and is what a read uses.
            Color = hint.Color.ToHex(),
            Lab = [hint.Color.L, hint.Color.A, hint.Color.B],
            Stroke = hint.Stroke.Count == 0 ? null : [.. hint.Stroke.Select(p => new[] { p.X, p.Y })],
        };

        public ColorHint ToHint(int index)
        {
            string where = $"Hint {index + 1}";
            if (X is not { } x || Y is not { } y)
                throw new InvalidHintsException($"{where}: x and y are required (pixels of the image, from its top-left corner).");
            LabColor color;
            if (Lab is not null)
            {
                if (Lab.Length != 3)
                    throw new InvalidHintsException($"{where}: lab must be [L, a, b]; got {Lab.Length} numbers.");
                color = new LabColor(Lab[0], Lab[1], Lab[2]);
            }
            else if (Color is not null)
            {
                try
                {
                    color = LabColor.FromHex(Color);
                }
                catch (InvalidHintsException ex)
                {
                    throw new InvalidHintsException($"{where}: {ex.Message}");
                }
            }
            else
            {
                throw new InvalidHintsException($"{where}: give a colour, as \"color\": \"#rrggbb\" or \"lab\": [L, a, b].");
            }
            var stroke = new List<HintPoint>();
            foreach (var point in Stroke ?? [])
            {
                if (point is not { Length: 2 })
                    throw new InvalidHintsException($"{where}: every stroke point must be [x, y].");
                stroke.Add(new HintPoint(point[0], point[1]));
            }
            var hint = new ColorHint(x, y, Radius ?? ColorHint.DefaultRadius, color) { Stroke = stroke };
            // Positions need the image; everything else is checked now, against an image as large as allowed.
            hint.Validate(int.MaxValue, int.MaxValue, index);
            return hint;
        }
    }
}
