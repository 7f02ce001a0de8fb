namespace Colorizer.Web.Api;

/// <summary>The request does not carry an image upload the API can read (not multipart, no <c>file</c> field, a broken form): 400.</summary>
internal sealed class InvalidUploadException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The upload (or the named form field) is larger than its limit, <c>Upload:MaxFileBytes</c> for files: 413.</summary>
internal sealed class UploadTooLargeException : Exception
{
    public UploadTooLargeException(long limitBytes, Exception? inner = null)
        : base($"The upload is larger than the limit of {UploadLimits.Describe(limitBytes)}.", inner) => LimitBytes = limitBytes;

    public UploadTooLargeException(long limitBytes, string field)
        : base($"The field '{field}' is larger than its limit of {UploadLimits.Describe(limitBytes)}.") => LimitBytes = limitBytes;

    /// <summary>The limit in force, in bytes.</summary>
    public long LimitBytes { get; }
}
