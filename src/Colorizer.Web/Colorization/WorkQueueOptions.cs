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
}
