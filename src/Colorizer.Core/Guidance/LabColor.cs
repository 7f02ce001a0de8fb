using System.Globalization;
using OpenCvSharp;

namespace Colorizer.Core.Guidance;

/// <summary>
/// A CIE L*a*b* colour (D65, as OpenCV converts sRGB): L in [0, 100], a and b in [−128, 127]. Hints use only its
/// chroma (a, b): the photo's own lightness is always kept.
/// </summary>
public readonly record struct LabColor(double L, double A, double B)
{
    /// <summary>The range of a and b accepted.</summary>
    public const double MinChroma = -128, MaxChroma = 127;

    /// <summary>Throws <see cref="InvalidHintsException"/> when a component is out of range or not a number.</summary>
    public void Validate(string where)
    {
        if (!double.IsFinite(L) || L is < 0 or > 100)
            throw new InvalidHintsException($"{where}: L* must be between 0 and 100; got {L.ToString(CultureInfo.InvariantCulture)}.");
        if (!double.IsFinite(A) || A is < MinChroma or > MaxChroma)
            throw new InvalidHintsException($"{where}: a* must be between {MinChroma} and {MaxChroma}; got {A.ToString(CultureInfo.InvariantCulture)}.");
        if (!double.IsFinite(B) || B is < MinChroma or > MaxChroma)
            throw new InvalidHintsException($"{where}: b* must be between {MinChroma} and {MaxChroma}; got {B.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>The Lab colour of an sRGB colour written <c>#rrggbb</c> or <c>#rgb</c>.</summary>
    public static LabColor FromHex(string hex)
    {
        if (!TryParseHex(hex, out var red, out var green, out var blue))
            throw new InvalidHintsException($"'{hex}' is not a colour; write it as #rrggbb or #rgb.");
        return FromRgb(red, green, blue);
    }

    /// <summary>The Lab colour of an 8-bit sRGB colour.</summary>
    public static LabColor FromRgb(byte red, byte green, byte blue)
    {
        using var bgr = new Mat(1, 1, MatType.CV_32FC3, new Scalar(blue / 255.0, green / 255.0, red / 255.0));
        using var lab = new Mat();
        Cv2.CvtColor(bgr, lab, ColorConversionCodes.BGR2Lab);
        var value = lab.At<Vec3f>(0, 0);
        return new LabColor(Math.Round(value.Item0, 2), Math.Round(value.Item1, 2), Math.Round(value.Item2, 2));
    }

    /// <summary>The nearest sRGB colour, as <c>#rrggbb</c> (out-of-gamut colours are clipped).</summary>
    public string ToHex()
    {
        using var lab = new Mat(1, 1, MatType.CV_32FC3, new Scalar(L, A, B));
        using var bgr = new Mat();
        Cv2.CvtColor(lab, bgr, ColorConversionCodes.Lab2BGR);
        var value = bgr.At<Vec3f>(0, 0);
        static int Byte(float unit) => (int)Math.Round(Math.Clamp(unit, 0f, 1f) * 255);
        return $"#{Byte(value.Item2):x2}{Byte(value.Item1):x2}{Byte(value.Item0):x2}";
    }

    private static bool TryParseHex(string text, out byte red, out byte green, out byte blue)
    {
        red = green = blue = 0;
        var digits = text.AsSpan().Trim();
        if (digits.Length == 0 || digits[0] != '#')
            return false;
        digits = digits[1..];
        if (digits.Length == 3)
        {
            Span<char> wide = [digits[0], digits[0], digits[1], digits[1], digits[2], digits[2]];
            return TryParseHex(wide, out red, out green, out blue);
        }
        return TryParseHex(digits, out red, out green, out blue);
    }

    private static bool TryParseHex(ReadOnlySpan<char> six, out byte red, out byte green, out byte blue)
    {
        red = green = blue = 0;
        return six.Length == 6
            && byte.TryParse(six[..2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out red)
            && byte.TryParse(six[2..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out green)
            && byte.TryParse(six[4..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out blue);
    }
}
