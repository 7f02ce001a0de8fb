using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Api;

/// <summary>
/// The API's per-client rate limit, bound from the <c>RateLimit</c> section: a token bucket per client address that
/// holds <see cref="Burst"/> requests and refills at <see cref="PermitsPerMinute"/>.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "RateLimit";

    /// <summary>The sustained rate one client may call the API at (one more token every 60 s / this).</summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimit:PermitsPerMinute must be between 1 and 1,000,000.")]
    public int PermitsPerMinute { get; set; } = 60;

    /// <summary>Requests one client may send at once after being idle (the bucket's size).</summary>
    [Range(1, 1_000_000, ErrorMessage = "RateLimit:Burst must be between 1 and 1,000,000.")]
    public int Burst { get; set; } = 10;

    /// <summary>
    /// Requests over the limit that wait for a token instead of being refused at once. 0 (the default) refuses at once:
    /// the shared work queue is where work waits.
    /// </summary>
    [Range(0, 10_000, ErrorMessage = "RateLimit:QueueLimit must be between 0 and 10,000.")]
    public int QueueLimit { get; set; }

    /// <summary>The time one token takes to come back.</summary>
    // Read by the validator too, before the range is checked: no division by zero.
    public TimeSpan TokenPeriod => TimeSpan.FromTicks(Math.Max(1, TimeSpan.TicksPerMinute / Math.Max(1, PermitsPerMinute)));
}
