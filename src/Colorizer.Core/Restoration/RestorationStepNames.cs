namespace Colorizer.Core.Restoration;

/// <summary>The names of <see cref="RestorationSteps"/> on the command line, in the API and on the page.</summary>
public static class RestorationStepNames
{
    private static readonly (string Name, RestorationSteps Step)[] Names =
    [
        ("dust", RestorationSteps.Dust),
        ("scratches", RestorationSteps.Scratches),
        ("noise", RestorationSteps.Noise),
        ("contrast", RestorationSteps.Contrast),
    ];

    /// <summary>Every name, in the order the steps run.</summary>
    public static IReadOnlyList<string> All { get; } = [.. Names.Select(n => n.Name)];

    /// <summary>The names for a message: "dust, scratches, noise and contrast".</summary>
    public static string Choices => "dust, scratches, noise and contrast";

    /// <summary>
    /// Parses a comma-separated list ("dust,noise", any case, spaces ignored; empty for none). Returns false, with the
    /// first unknown name, for anything else.
    /// </summary>
    public static bool TryParse(string? text, out RestorationSteps steps, out string? unknown)
    {
        steps = RestorationSteps.None;
        unknown = null;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int index = Array.FindIndex(Names, n => string.Equals(n.Name, part, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                unknown = part;
                steps = RestorationSteps.None;
                return false;
            }
            steps |= Names[index].Step;
        }
        return true;
    }

    /// <summary>"dust,noise": the names of the steps that are on, in order.</summary>
    public static string Format(RestorationSteps steps) => string.Join(",", Names.Where(n => steps.HasFlag(n.Step)).Select(n => n.Name));
}
