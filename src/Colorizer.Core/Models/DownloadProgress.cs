namespace Colorizer.Core.Models;

/// <summary>How far a download has come.</summary>
/// <param name="BytesReceived">Bytes of the file on disk so far, including any resumed part.</param>
/// <param name="TotalBytes">The expected size of the whole file in bytes.</param>
/// <param name="Source">The address being downloaded from.</param>
public readonly record struct DownloadProgress(long BytesReceived, long TotalBytes, Uri Source)
{
    /// <summary>The part done, from 0 to 1 (0 when the total is unknown or zero).</summary>
    public double Fraction => TotalBytes > 0 ? Math.Clamp((double)BytesReceived / TotalBytes, 0.0, 1.0) : 0.0;
}
