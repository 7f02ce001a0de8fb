using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Colorization;

/// <summary>How the app notices model files put in place while it runs, bound from the <c>ModelWatch</c> section.</summary>
public sealed class ModelWatchOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ModelWatch";

    /// <summary>
    /// How often the models folder is looked at after a failed load, as well as watching it (a file watcher misses
    /// changes on some network mounts); default 30 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00",
        ErrorMessage = "ModelWatch:PollInterval must be between 00:00:01 (a second) and 1.00:00:00 (a day).")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a changed file must stay the same before it is loaded, so a copy in progress is not loaded half
    /// done; default 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00",
        ErrorMessage = "ModelWatch:SettleTime must be between 00:00:00 and 00:01:00 (a minute).")]
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromSeconds(1);
}
