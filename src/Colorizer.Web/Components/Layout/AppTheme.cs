using MudBlazor;

namespace Colorizer.Web.Components.Layout;

/// <summary>
/// MudBlazor's default theme with the colours that fail WCAG 2.1 AA contrast (4.5:1 for text) replaced: the status
/// colours' alert text (drawn in their "darken" shade) and, in dark mode, white on the primary colour. The browser
/// tests' accessibility audit checks every page in both modes.
/// </summary>
internal static class AppTheme
{
    /// <summary>The theme of every page.</summary>
    public static MudTheme Value { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Success = "#2e7d32",
            SuccessDarken = "#1b5e20",
            Info = "#1565c0",
            InfoDarken = "#0d47a1",
            Warning = "#a15c00",
            WarningDarken = "#7a4500",
            Error = "#c62828",
            ErrorDarken = "#b71c1c",
        },
        PaletteDark = new PaletteDark
        {
            // A lighter primary, read as text on the dark surface, with dark text on it where it is a fill.
            Primary = "#a39bf2",
            PrimaryContrastText = "#16161f",
            // Secondary text (captions, helper text) a little lighter than MudBlazor's, for 4.5:1 on the dark surface.
            TextSecondary = "rgba(255,255,255,0.72)",
            // In dark mode alert text is drawn in the "darken" shade: here a light one, readable on the dark surface; and
            // the fills (chips, filled buttons) carry dark text, as white on these light tones is too faint.
            Success = "#43a047",
            SuccessContrastText = "#111318",
            SuccessDarken = "#a5d6a7",
            Info = "#42a5f5",
            InfoContrastText = "#111318",
            InfoDarken = "#90caf9",
            Warning = "#ffa726",
            WarningContrastText = "#111318",
            WarningDarken = "#ffcc80",
            Error = "#ef5350",
            ErrorContrastText = "#111318",
            ErrorDarken = "#ef9a9a",
        },
    };
}
