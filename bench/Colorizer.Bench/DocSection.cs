namespace Colorizer.Bench;

/// <summary>
/// A named section of docs/benchmarks.md between two HTML comment markers, so that a run of one part replaces only
/// its own section and keeps the others as they were.
/// </summary>
internal sealed record DocSection(string Name)
{
    public static readonly DocSection Batch = new("batch");
    public static readonly DocSection Explore = new("explore");
    public static readonly DocSection Backends = new("backends");
    public static readonly DocSection Reference = new("reference");
    public static readonly DocSection Web = new("web");
    public static readonly DocSection Guidance = new("guidance");
    public static readonly DocSection Models = new("models");
    public static readonly DocSection Video = new("video");
    public static readonly DocSection Restoration = new("restoration");

    /// <summary>The sections after the image part, in their order in the file.</summary>
    public static readonly IReadOnlyList<DocSection> All = [Batch, Explore, Backends, Reference, Web, Guidance, Models, Video, Restoration];

    public string Begin => $"<!-- {Name}:begin (written by bench/Colorizer.Bench; `-- --{Name}` replaces only this section) -->";

    public string End => $"<!-- {Name}:end -->";

    private string BeginPrefix => $"<!-- {Name}:begin";

    /// <summary>The section's content in <paramref name="document"/> (without its markers), or "" if it has none.</summary>
    public string Extract(string document)
    {
        var (begin, contentStart, end) = Find(document);
        return begin < 0 ? "" : document[contentStart..end].Trim('\n') + "\n";
    }

    /// <summary>Where the first known section starts in <paramref name="document"/>, or its length if none.</summary>
    public static int HeadLength(string document)
    {
        int first = document.Length;
        foreach (var section in All)
        {
            int begin = section.Find(document).Begin;
            if (begin >= 0)
                first = Math.Min(first, begin);
        }
        return first;
    }

    /// <summary>
    /// The whole file: <paramref name="head"/> (the image part), then each section in order: this run's if it ran
    /// (<paramref name="fresh"/>), else the one in <paramref name="existing"/>; sections with no content are left out.
    /// </summary>
    public static string Compose(string head, string existing, IReadOnlyDictionary<DocSection, string> fresh)
    {
        string document = head.TrimEnd('\n') + "\n";
        foreach (var section in All)
        {
            string content = fresh.TryGetValue(section, out string? mine) ? mine : section.Extract(existing);
            if (content.Length > 0)
                document += "\n" + section.Begin + "\n" + content.TrimEnd('\n') + "\n" + section.End + "\n";
        }
        return document;
    }

    private (int Begin, int ContentStart, int End) Find(string document)
    {
        int begin = document.IndexOf(BeginPrefix, StringComparison.Ordinal);
        if (begin < 0)
            return (-1, -1, -1);
        int lineEnd = document.IndexOf('\n', begin);
        int end = document.IndexOf(End, begin, StringComparison.Ordinal);
        if (lineEnd < 0 || end < lineEnd)
            return (-1, -1, -1);
        return (begin, lineEnd + 1, end);
    }
}
