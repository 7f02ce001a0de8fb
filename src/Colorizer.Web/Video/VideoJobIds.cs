using System.Buffers.Text;
using System.Security.Cryptography;

namespace Colorizer.Web.Video;

/// <summary>
/// Job ids: 128 bits from the operating system's cryptographic generator, base64url without padding (22 characters
/// of <c>A–Z a–z 0–9 - _</c>). Knowing one id tells nothing about any other, so a job's address is its key.
/// </summary>
public static class VideoJobIds
{
    /// <summary>The length of an id.</summary>
    public const int Length = 22;

    /// <summary>A new id.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>True when <paramref name="id"/> has the form of an id (22 base64url characters encoding 16 bytes).</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: Length } && Base64Url.IsValid(id, out int bytes) && bytes == 16;
}
