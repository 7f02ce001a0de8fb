using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Hosting;

/// <summary>Where the web app keeps its temporary files, bound from the <c>TempFiles</c> section.</summary>
public sealed class TempFilesOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "TempFiles";

    /// <summary>The app's temp folder; unset: <c>colorizer-web</c> under the system temp folder.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Files in the folder not written for this long are leftovers of a crash (or of another instance's) and are
    /// deleted, at start and then every minute (or every <see cref="LeftoverAge"/> when that is shorter); default 10
    /// minutes. Files this process has open are never deleted; a younger file may be another instance's.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan LeftoverAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The folder in use.</summary>
    public string ResolvedDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(Directory)
        ? Path.Combine(Path.GetTempPath(), "colorizer-web")
        : Directory);
}
