using System.Globalization;
using Colorizer.Core.Guidance;
using Colorizer.Web.Colorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Api;

/// <summary>
/// One source for every request-size limit: Kestrel's <c>MaxRequestBodySize</c> and the multipart reader's
/// <c>MultipartBodyLengthLimit</c> (per part) both follow <see cref="UploadOptions.MaxFileBytes"/>, so an oversized upload is cut
/// off while it streams in (with or without a Content-Length) instead of being buffered first.
/// </summary>
public static class UploadLimits
{
    /// <summary>
    /// What a multipart request may carry on top of the file itself: the boundaries, each part's headers and a few
    /// small fields. A file over the limit but within this allowance is still refused, by the multipart reader.
    /// </summary>
    public const long MultipartAllowanceBytes = 16 * 1024;

    /// <summary>
    /// The largest request body Kestrel accepts for a given file limit: room for the image, a reference photo (each
    /// up to the file limit) and the hints (up to <see cref="HintsJson.MaxBytes"/>), plus the framing.
    /// </summary>
    public static long MaxRequestBodyBytes(UploadOptions upload) => 2 * upload.MaxFileBytes + HintsJson.MaxBytes + MultipartAllowanceBytes;

    /// <summary>Wires <see cref="KestrelServerOptions"/> and <see cref="FormOptions"/> to <c>Upload:MaxFileBytes</c>.</summary>
    internal static IServiceCollection AddUploadLimits(this IServiceCollection services)
    {
        // Through options (not read from configuration here) so that settings given to the host later, such as a
        // test's UseSetting, still reach both limits.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<UploadOptions>>((kestrel, upload) =>
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes(upload.Value));
        services.AddOptions<FormOptions>().Configure<IOptions<UploadOptions>>((form, upload) =>
        {
            // Per part, files and text fields alike: a part over it is a 413 (UploadReader tells it from a broken
            // form by the bytes read), and the hints' own, smaller cap is checked on the text read.
            form.MultipartBodyLengthLimit = upload.Value.MaxFileBytes;
            form.ValueLengthLimit = (int)Math.Min(int.MaxValue, upload.Value.MaxFileBytes);
        });
        return services;
    }

    /// <summary>A size for people: "20 KB", "50 MB" (binary multiples), or bytes.</summary>
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 30} GB"),
        >= 1L << 20 when bytes % (1L << 20) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 20} MB"),
        >= 1L << 10 when bytes % (1L << 10) == 0 => string.Create(CultureInfo.InvariantCulture, $"{bytes >> 10} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes"),
    };
}
