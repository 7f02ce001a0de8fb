using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Colorization;

/// <summary>The one work queue shared by the page and the API, bound from the <c>Queue</c> section.</summary>
public sealed class WorkQueueOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Queue";

    /// <summary>Jobs that run at once; 2 lets one job's decoding and encoding overlap another's forward pass.</summary>
    [Range(1, 64)]
    public int Concurrency { get; set; } = 2;

    /// <summary>Jobs that may wait; beyond that new work is refused at once (429 on the API).</summary>
    [Range(0, 10_000)]
    public int Capacity { get; set; } = 16;

    /// <summary>
    /// How long one colorization may take, waiting in line and working together (<c>Queue:Deadline</c>, e.g.
    /// <c>00:01:00</c>); past it the work is cancelled and the caller hears the server is too busy (503 on the API).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00",
        ErrorMessage = "Queue:Deadline must be between 00:00:00.010 (10 ms) and 01:00:00 (an hour).")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(60);
}
