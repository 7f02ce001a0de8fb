using System.ComponentModel.DataAnnotations;
using Colorizer.Core;
using Colorizer.Core.Imaging;
using Colorizer.Core.Native;

namespace Colorizer.Web.Hosting;

/// <summary>Native process settings that must be in place before OpenCV's library loads.</summary>
public static class NativeProcessExtensions
{
    /// <summary>
    /// Sets OpenCV's decoder limits in the native environment from <c>Colorizer:MaxPixels</c> and
    /// <c>Colorizer:MaxSide</c> (the header check's settings, so there is one source of truth) and caps glibc's
    /// malloc arenas. Call it right after creating the builder: a bare <c>dotnet Colorizer.Web.dll</c>, a systemd
    /// unit or <c>dotnet run --no-launch-profile</c> then gets the same protection as the Docker image.
    /// </summary>
    public static WebApplicationBuilder PrepareNativeProcess(this WebApplicationBuilder builder)
    {
        NativeHeap.CapArenas();
        // Image-sized buffers and the network's activations go back to the system when freed, as in the CLI: without
        // it glibc's heaps grew by 130-210 MB in five minutes of scripts/soak.sh (docs/operations.md).
        NativeHeap.ReturnLargeBuffersToTheSystem();
        var options = new ColorizerOptions();
        try
        {
            builder.Configuration.GetSection(ColorizerOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException)
        {
            // A malformed value: the options validation at start reports it; meanwhile use the defaults.
            options = new ColorizerOptions();
        }
        if (!Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true))
            options = new ColorizerOptions();
        OpenCvLimits.Apply(options.MaxPixels, options.MaxSide);
        return builder;
    }
}
