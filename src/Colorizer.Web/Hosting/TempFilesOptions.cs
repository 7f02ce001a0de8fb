using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Hosting;

/// <summary>Where the web app keeps its temporary files, bound from the <c>TempFiles</c> section.</summary>
public sealed class TempFilesOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "TempFiles";

    /// <summary>The app's temp folder; unset: <c>colorizer-web</c> under the system temp folder.</summary>
    public string? Directory { get; set; }

    /// <summary>Files in the folder older than this at start are leftovers of a crash and are deleted; default 10 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan LeftoverAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The folder in use.</summary>
    public string ResolvedDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(Directory)
        ? Path.Combine(Path.GetTempPath(), "colorizer-web")
        : Directory);
}
