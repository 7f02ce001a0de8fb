namespace Colorizer.Web.Api;

/// <summary>The request does not carry an image upload the API can read (not multipart, no <c>file</c> field, a broken form): 400.</summary>
internal sealed class InvalidUploadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The upload is larger than <c>Upload:MaxFileBytes</c>: 413.</summary>
internal sealed class UploadTooLargeException(long limitBytes, Exception? inner = null)
    : Exception($"The upload is larger than the limit of {UploadLimits.Describe(limitBytes)}.", inner)
{
    /// <summary>The limit in force, in bytes.</summary>
    public long LimitBytes { get; } = limitBytes;
}
