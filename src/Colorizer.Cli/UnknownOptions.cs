using System.CommandLine;
using System.CommandLine.Parsing;

namespace Colorizer.Cli;

/// <summary>
/// Finds tokens that look like options but are none (<c>--modle</c>). System.CommandLine reads such a token as a value
/// of <c>colorize</c>'s inputs argument, so a mistyped option became a file name that was not found, after the real
/// inputs had been colorized. Every command refuses them, suggesting the closest real option.
/// </summary>
internal static class UnknownOptions
{
    /// <summary>
    /// The lines to print for the tokens of <paramref name="parse"/> that start with <c>-</c> but are neither an option
    /// nor the value of one: an <c>error:</c> line for each, then, if one may have been meant as a path, how to give such
    /// a path. Empty when there are none. A lone <c>-</c> is not an option, and nothing after <c>--</c> is one.
    /// </summary>
    /// <remarks>
    /// Checked on the finished parse rather than in a command validator: only the parse result's tokens tell where
    /// <c>--</c> stood, and which values the options took (<c>--saturation -1</c> is the option's value, a range error
    /// further on).
    /// </remarks>
    public static IReadOnlyList<string> Describe(ParseResult parse)
    {
        var optionValues = new Dictionary<Token, OptionResult>(ReferenceEqualityComparer.Instance);
        CollectOptionValues(parse.RootCommandResult, optionValues);
        var spellings = new HashSet<string>(StringComparer.Ordinal);
        CollectSpellings(parse.RootCommandResult.Command, spellings);
        var commands = new List<CommandResult>();
        for (var command = parse.CommandResult; command is not null; command = command.Parent as CommandResult)
            commands.Add(command);

        var lines = new List<string>();
        string? pathNote = null;
        for (int i = 0; i < parse.Tokens.Count; i++)
        {
            var token = parse.Tokens[i];
            if (token.Type == TokenType.DoubleDash)
                break;
            if (token.Type != TokenType.Argument || !LooksLikeAnOption(token.Value))
                continue;
            if (optionValues.TryGetValue(token, out var takenBy))
            {
                // System.CommandLine gives an option the next token even when it is another option: `-o --offline`
                // would make a folder named --offline, `--models --offline` would download the weights. A value that
                // is exactly an option's name is a missing value (a path of that name can be given as -o=./--offline).
                if (spellings.Contains(token.Value))
                    lines.Add($"error: {takenBy.IdentifierToken?.Value ?? takenBy.Option.Name} needs a value, but the next word is the option {token.Value}.");
                continue;
            }
            // The token belongs to the innermost command named before it (the root's name is not among the tokens).
            var owner = commands.FirstOrDefault(c => IndexOf(parse.Tokens, c.IdentifierToken) < i) ?? parse.RootCommandResult;
            lines.Add("error: " + Message(token.Value, owner, out string usage, out bool suggested));
            // Far from every option, it may be a file name; only a command that takes paths needs the note.
            if (!suggested && owner.Command.Arguments.Count > 0)
                pathNote ??= $"A path that starts with '-' goes after '--': {usage} [options] -- {token.Value}";
        }
        if (pathNote is not null)
            lines.Add(pathNote);
        return lines;
    }

    /// <summary>
    /// The spellings (names or aliases) of the options nearest to <paramref name="unknown"/>: one per option, all at the
    /// smallest distance, in the order the options were declared; empty when none is close enough to be a likely typo.
    /// Case and the number of dashes are not counted (<c>-Output</c> gives <c>--output</c>).
    /// </summary>
    /// <param name="unknown">The option as typed, without a value.</param>
    /// <param name="command">The command it was given to: its options are candidates.</param>
    /// <param name="ancestors">The commands above it: their recursive options (<c>--models</c>, <c>--help</c>) are candidates too.</param>
    public static IReadOnlyList<string> Closest(string unknown, Command command, IEnumerable<Command> ancestors)
    {
        string typed = Bare(unknown);
        // A short name is one or two keystrokes from many others: only a different case or dash count is suggested.
        int allowed = typed.Length switch { <= 2 => 0, <= 4 => 1, <= 8 => 2, _ => 3 };
        var options = command.Options.Concat(ancestors.SelectMany(a => a.Options.Where(o => o.Recursive))).Where(o => !o.Hidden);
        var nearest = options
            .Select(o => o.Aliases.Prepend(o.Name).Where(s => s.StartsWith('-'))
                .Select(s => (Spelling: s, Distance: Distance(typed, Bare(s))))
                .DefaultIfEmpty((Spelling: "", Distance: int.MaxValue))
                .MinBy(c => c.Distance))
            .Where(c => c.Distance <= allowed)
            .ToList();
        if (nearest.Count == 0)
            return [];
        int best = nearest.Min(c => c.Distance);
        return nearest.Where(c => c.Distance == best).Select(c => c.Spelling).Distinct().ToList();
    }

    /// <summary>
    /// The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of two neighbours
    /// (<c>modle</c> → <c>model</c>), the commonest typing slips, each count one.
    /// </summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    private static string Message(string token, CommandResult owner, out string usage, out bool suggested)
    {
        // --modle=ddcolor names the option --modle.
        int value = token.IndexOfAny(['=', ':']);
        string option = value > 0 ? token[..value] : token;
        var ancestors = new List<Command>();
        for (var parent = owner.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
            ancestors.Add(parent.Command);
        // The root command's name is the executable's, which under a test host is not "colorizer".
        var path = ancestors.AsEnumerable().Reverse().Append(owner.Command).Skip(1);
        usage = string.Join(' ', path.Select(c => c.Name).Prepend("colorizer"));
        var closest = Closest(option, owner.Command, ancestors);
        suggested = closest.Count > 0;
        return suggested
            ? $"unknown option {option}; did you mean {string.Join(" or ", closest)}?"
            : $"unknown option {option}; see '{usage} --help' for the options.";
    }

    private static bool LooksLikeAnOption(string token) => token.Length > 1 && token[0] == '-';

    private static string Bare(string spelling) => spelling.TrimStart('-').ToLowerInvariant();

    private static int IndexOf(IReadOnlyList<Token> tokens, Token token)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (ReferenceEquals(tokens[i], token))
                return i;
        }
        return -1;
    }

    private static void CollectSpellings(Command command, HashSet<string> spellings)
    {
        foreach (var option in command.Options)
        {
            spellings.Add(option.Name);
            spellings.UnionWith(option.Aliases);
        }
        foreach (var subcommand in command.Subcommands)
            CollectSpellings(subcommand, spellings);
    }

    private static void CollectOptionValues(CommandResult command, Dictionary<Token, OptionResult> values)
    {
        foreach (var child in command.Children)
        {
            if (child is OptionResult option)
            {
                foreach (var token in option.Tokens)
                    values[token] = option;
            }
            else if (child is CommandResult subcommand)
                CollectOptionValues(subcommand, values);
        }
    }
}
