using System.Globalization;
using System.Text;

namespace Colorizer.Core.Models;

/// <summary>
/// A protobuf text-format message, as far as Caffe's prototxt files use it: scalar fields and nested messages,
/// repeated by repeating the key. Values keep their spelling; strings lose their quotes.
/// </summary>
public sealed class PrototxtMessage
{
    private readonly List<(string Key, object Value, bool Quoted)> _fields = [];

    /// <summary>The first scalar value of <paramref name="key"/>, unquoted, or null.</summary>
    public string? Scalar(string key) => Scalars(key).FirstOrDefault();

    /// <summary>Every scalar value of <paramref name="key"/>, in order.</summary>
    public IEnumerable<string> Scalars(string key) =>
        _fields.Where(f => f.Key == key && f.Value is string).Select(f => (string)f.Value);

    /// <summary>The first nested message called <paramref name="key"/>, or null.</summary>
    public PrototxtMessage? Message(string key) => Messages(key).FirstOrDefault();

    /// <summary>Every nested message called <paramref name="key"/>, in order.</summary>
    public IEnumerable<PrototxtMessage> Messages(string key) =>
        _fields.Where(f => f.Key == key && f.Value is PrototxtMessage).Select(f => (PrototxtMessage)f.Value);

    /// <summary>The first value of <paramref name="key"/> as an integer, or null if absent or not a number.</summary>
    public int? Int(string key) =>
        int.TryParse(Scalar(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : null;

    /// <summary>Every value of <paramref name="key"/> as integers (e.g. <c>dim</c>).</summary>
    public IEnumerable<int> Ints(string key) =>
        Scalars(key).Select(v => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture));

    internal static PrototxtMessage Parse(string text)
    {
        var tokens = Tokenize(text);
        int position = 0;
        var root = ParseFields(tokens, ref position, nested: false);
        return root;
    }

    private static PrototxtMessage ParseFields(List<Token> tokens, ref int position, bool nested)
    {
        var message = new PrototxtMessage();
        while (position < tokens.Count)
        {
            var token = tokens[position];
            if (token.Text == "}")
            {
                if (!nested)
                    throw new FormatException($"unexpected '}}' on line {token.Line}");
                position++;
                return message;
            }
            if (token.Quoted || token.Text is "{" or ":")
                throw new FormatException($"expected a field name on line {token.Line}, found '{token.Text}'");
            string key = token.Text;
            position++;
            bool colon = position < tokens.Count && tokens[position].Text == ":" && !tokens[position].Quoted;
            if (colon)
                position++;
            if (position >= tokens.Count)
                throw new FormatException($"field '{key}' on line {token.Line} has no value");
            var value = tokens[position];
            if (value.Text == "{" && !value.Quoted)
            {
                position++;
                message._fields.Add((key, ParseFields(tokens, ref position, nested: true), false));
            }
            else if (!colon || value.Text is "}" or ":")
            {
                throw new FormatException($"field '{key}' on line {token.Line} has no value");
            }
            else
            {
                position++;
                message._fields.Add((key, value.Text, value.Quoted));
            }
        }
        if (nested)
            throw new FormatException("a '{' is never closed");
        return message;
    }

    private readonly record struct Token(string Text, bool Quoted, int Line);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int line = 1;
        for (int i = 0; i < text.Length;)
        {
            char c = text[i];
            if (c == '\n') { line++; i++; }
            else if (char.IsWhiteSpace(c) || c == ',' || c == ';') i++;
            else if (c == '#') { while (i < text.Length && text[i] != '\n') i++; }
            else if (c is '{' or '}' or ':') { tokens.Add(new Token(c.ToString(), false, line)); i++; }
            else if (c is '"' or '\'')
            {
                int end = text.IndexOf(c, i + 1);
                if (end < 0)
                    throw new FormatException($"unterminated string on line {line}");
                tokens.Add(new Token(text[(i + 1)..end], true, line));
                i = end + 1;
            }
            else
            {
                int start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('{' or '}' or ':' or '#' or '"' or '\'' or ',' or ';'))
                    i++;
                tokens.Add(new Token(text[start..i], false, line));
            }
        }
        return tokens;
    }

    internal static string Quote(string value) => "\"" + value + "\"";

    /// <summary>The message's fields as one line of prototxt text.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var (key, value, quoted) in _fields)
        {
            if (text.Length > 0)
                text.Append(' ');
            if (value is PrototxtMessage nested)
            {
                string inner = nested.ToText();
                text.Append(key).Append(inner.Length == 0 ? " { }" : " { " + inner + " }");
            }
            else
            {
                text.Append(key).Append(": ").Append(quoted ? Quote((string)value) : (string)value);
            }
        }
        return text.ToString();
    }
}
