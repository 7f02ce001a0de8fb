namespace Colorizer.Core.Imaging;

/// <summary>Which output format a result gets when the user has not chosen one.</summary>
public static class OutputFormats
{
    /// <summary>
    /// The output format that follows an input's (judged by its content): JPEG stays JPEG, since the input was lossy
    /// already and a PNG of it is several times larger and slower to write; TIFF stays TIFF, an archive's format
    /// (lossless, with its tags, alpha and 16 bits); everything else (PNG, WebP that may be lossless, BMP, or a format
    /// not known) becomes PNG, which loses nothing and keeps alpha and 16 bits.
    /// </summary>
    public static OutputFormat Following(ImageFormat? input) => input switch
    {
        ImageFormat.Jpeg => OutputFormat.Jpeg,
        ImageFormat.Tiff => OutputFormat.Tiff,
        _ => OutputFormat.Png,
    };
}
