using System.Globalization;
using Colorizer.Core.Native;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using OpenCvSharp;

namespace Colorizer.Core.Imaging;

/// <summary>The outcome of <see cref="OpenCvLimits.Verify()"/>.</summary>
/// <param name="Passed">True when OpenCV's own limits are set and enforced.</param>
/// <param name="Message">What was found, for the log and the readiness check.</param>
public sealed record OpenCvLimitsReport(bool Passed, string Message);

/// <summary>One thing <see cref="OpenCvLimits.Apply"/> did, to be logged once logging exists.</summary>
/// <param name="Level">Warning when the environment was overridden, Information otherwise.</param>
/// <param name="Message">What was set, kept or tightened.</param>
public sealed record OpenCvLimitsNote(LogLevel Level, string Message);

/// <summary>
/// OpenCV's own decoder limits, the second line of defence behind the header check. OpenCV reads them once, from the
/// native process environment, when its library loads, and a .NET <c>Environment.SetEnvironmentVariable</c> does not
/// reach that environment: so <see cref="Apply"/> sets them through libc at the start of <c>Main</c>, from the same
/// settings as the header check, however the process was started.
/// </summary>
public static class OpenCvLimits
{
    /// <summary>The most pixels OpenCV decodes.</summary>
    public const string MaxPixelsVariable = "OPENCV_IO_MAX_IMAGE_PIXELS";

    /// <summary>The widest image OpenCV decodes.</summary>
    public const string MaxWidthVariable = "OPENCV_IO_MAX_IMAGE_WIDTH";

    /// <summary>The tallest image OpenCV decodes.</summary>
    public const string MaxHeightVariable = "OPENCV_IO_MAX_IMAGE_HEIGHT";

    private static readonly Lock NotesLock = new();
    private static readonly List<OpenCvLimitsNote> Notes = [];

    /// <summary>What <see cref="Apply"/> did in this process, for the log (it runs before logging exists).</summary>
    public static IReadOnlyList<OpenCvLimitsNote> StartupNotes
    {
        get
        {
            lock (NotesLock)
                return [.. Notes];
        }
    }

    /// <summary>
    /// Sets OpenCV's three decoder limits in the native environment from the configured limits, before anything loads
    /// OpenCV's library: the pixel limit to <paramref name="maxPixels"/>, width and height to
    /// <paramref name="maxSide"/>. A value already in the environment that is looser (or not a number) is tightened;
    /// a tighter one is kept, since OpenCV then refuses less than the header check would let through and nothing
    /// unsafe gets past. Returns what it did, one line each, also kept in <see cref="StartupNotes"/>. Once OpenCV is
    /// loaded its limits are fixed, so a later call changes nothing and says so.
    /// </summary>
    public static IReadOnlyList<OpenCvLimitsNote> Apply(long maxPixels, int maxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPixels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        var notes = new List<OpenCvLimitsNote>();
        if (IsOpenCvLoaded())
        {
            // Not kept in StartupNotes: those say what the environment was when OpenCV loaded.
            return [new(LogLevel.Information, "OpenCV was already loaded, so its decoder limits are those of the environment it loaded with.")];
        }
        notes.Add(Tighten(MaxPixelsVariable, maxPixels));
        notes.Add(Tighten(MaxWidthVariable, maxSide));
        notes.Add(Tighten(MaxHeightVariable, maxSide));
        lock (NotesLock)
            Notes.AddRange(notes);
        return notes;
    }

    private static OpenCvLimitsNote Tighten(string name, long limit)
    {
        string? text = LibC.GetEnvironmentVariable(name);
        string wanted = limit.ToString(CultureInfo.InvariantCulture);
        if (text is null)
        {
            LibC.SetEnvironmentVariable(name, wanted);
            return new(LogLevel.Information, $"{name}={wanted} (from the configuration).");
        }
        if (TryParseOpenCvSize(text, out long current) && current > 0 && current <= limit)
            return new(LogLevel.Information, $"{name}={text} kept from the environment (the configuration allows {wanted}).");
        LibC.SetEnvironmentVariable(name, wanted);
        string why = TryParseOpenCvSize(text, out _) ? "looser than the configuration" : "not a size OpenCV reads";
        return new(LogLevel.Warning, $"{name} was '{text}' in the environment, {why}: tightened to {wanted}.");
    }

    /// <summary>
    /// Reads a size as OpenCV's own configuration parser does: decimal digits only, then optionally <c>KB</c> or
    /// <c>MB</c> (also <c>Kb</c>, <c>kb</c>, <c>Mb</c>, <c>mb</c>) for 1,024 or 1,048,576 times. OpenCV throws at load on
    /// anything else (a sign, a space), which takes the process down, so such a value must never be kept.
    /// </summary>
    internal static bool TryParseOpenCvSize(string? text, out long value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text))
            return false;
        int digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
            digits++;
        if (digits == 0 || !long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out long number))
            return false;
        long factor = text[digits..] switch
        {
            "" => 1,
            "KB" or "Kb" or "kb" => 1L << 10,
            "MB" or "Mb" or "mb" => 1L << 20,
            _ => 0,
        };
        if (factor == 0 || number > long.MaxValue / factor)
            return false;
        value = number * factor;
        return true;
    }

    // The native library is mapped into the process once anything of OpenCvSharp has been called.
    private static bool IsOpenCvLoaded()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
            return false;
        foreach (string line in File.ReadLines(maps))
        {
            if (line.Contains("OpenCvSharpExtern", StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>
    /// Checks that the three variables are set to numbers, then that OpenCV really refuses an image one pixel wider
    /// than its width limit (a 1-pixel-high PNG of a few hundred bytes, so the test costs nothing).
    /// </summary>
    public static OpenCvLimitsReport Verify() => Verify(LibC.GetEnvironmentVariable);

    /// <summary>
    /// <see cref="Verify()"/> against the variables as <paramref name="environment"/> reports them, so a test can
    /// present an environment that does not match the OpenCV already loaded.
    /// </summary>
    internal static OpenCvLimitsReport Verify(Func<string, string?> environment)
    {
        var values = new Dictionary<string, long>();
        foreach (string name in new[] { MaxPixelsVariable, MaxWidthVariable, MaxHeightVariable })
        {
            string? text = environment(name);
            if (!TryParseOpenCvSize(text, out long value) || value <= 0)
                return new OpenCvLimitsReport(false,
                    $"{name} is not set in the native process environment: OpenCvLimits.Apply did not run before OpenCV loaded, so OpenCV's decoder limits are its own defaults.");
            values[name] = value;
        }

        long width = values[MaxWidthVariable] + 1;
        if (width > 1_000_000)
            return new OpenCvLimitsReport(false, $"{MaxWidthVariable}={values[MaxWidthVariable]} is too large to be a limit.");
        byte[] wide;
        using (var row = new Mat(1, (int)width, MatType.CV_8UC1, Scalar.All(0)))
        {
            if (!Cv2.ImEncode(".png", row, out wide))
                return new OpenCvLimitsReport(false, "OpenCV could not encode the self-test image.");
        }
        try
        {
            using var decoded = Cv2.ImDecode(wide, ImreadModes.Unchanged);
            if (!decoded.Empty())
                return new OpenCvLimitsReport(false,
                    $"OpenCV decoded a {width}-pixel-wide image although {MaxWidthVariable}={values[MaxWidthVariable]}: its limits were set after the native library loaded.");
        }
        catch (OpenCVException)
        {
            // Refused: the limit is active.
        }
        return new OpenCvLimitsReport(true,
            $"OpenCV refuses images over {values[MaxPixelsVariable]:N0} pixels or {values[MaxWidthVariable]:N0}×{values[MaxHeightVariable]:N0}.");
    }
}
