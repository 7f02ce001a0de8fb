using System.Text;
using Colorizer.Core.Imaging;

namespace Colorizer.Web.Api;

/// <summary>
/// The file name offered for a result: <c>&lt;stem&gt;-colorized.&lt;ext&gt;</c>, where the stem is the uploaded name
/// without folders or extension, cut down to letters, digits, <c>-</c>, <c>_</c> and <c>.</c>. The client's name never
/// reaches a header as it came; non-ASCII letters that survive are sent percent-encoded (RFC 6266 <c>filename*</c>).
/// </summary>
internal static class DownloadFileName
{
    private const int MaxStemLength = 80;
    private const string Fallback = "image";

    public static string For(string? uploadedName, OutputFormat format) => Stem(uploadedName) + "-colorized" + ImageEncoder.Extension(format);

    internal static string Stem(string? uploadedName)
    {
        string name = (uploadedName ?? "").Normalize(NormalizationForm.FormC);
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        int dot = name.LastIndexOf('.');
        if (dot > 0)
            name = name[..dot];

        var stem = new StringBuilder(Math.Min(name.Length, MaxStemLength));
        foreach (char c in name)
        {
            if (stem.Length >= MaxStemLength)
                break;
            if (char.IsLetterOrDigit(c) || c is '-' or '_' or '.')
                stem.Append(c);
            else if (stem.Length > 0 && stem[^1] != '_')
                stem.Append('_');
        }
        string result = stem.ToString().Trim('_', '.', '-');
        return result.Length == 0 ? Fallback : result;
    }
}
