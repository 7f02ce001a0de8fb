using System.Diagnostics.Metrics;
using Colorizer.Core.Colorization;
using Colorizer.Web.Colorization;

namespace Colorizer.Web.Diagnostics;

/// <summary>
/// The web app's own measurements, in .NET's metrics API: the shared queue's running and waiting jobs, the memory budget for images in flight, the galleries
/// kept in memory, and every refusal by reason and surface (the API, the page, the video page). Exported with the
/// engine's (<see cref="Core.Diagnostics.ColorizerMeter"/>) when <c>Metrics:Enabled</c> is set.
/// </summary>
public sealed class ServerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Colorizer.Web";

    private readonly Counter<long> _refusals;

    /// <summary>Creates the instruments.</summary>
    public ServerMetrics(IMeterFactory meters, WorkQueue queue, GalleryStore galleries, MemoryBudget budget, Video.VideoJobService? videos = null)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("colorizer.queue.running", () => queue.Running, unit: "{job}",
            description: "Colorization jobs running now (page, API and video alike).");
        meter.CreateObservableGauge("colorizer.queue.waiting", () => queue.Waiting, unit: "{job}",
            description: "Colorization jobs waiting in the shared queue.");
        meter.CreateObservableGauge("colorizer.admission.memory", () => budget.InUse, unit: "By",
            description: "Bytes that uploads and colorizations in flight hold in the memory budget (API and page alike).");
        meter.CreateObservableGauge("colorizer.admission.memory.budget", () => budget.Capacity, unit: "By",
            description: "The memory budget for images in flight (Admission:MemoryBudget).");
        meter.CreateObservableGauge("colorizer.admission.waiting", () => budget.Waiting, unit: "{request}",
            description: "Uploads and colorizations waiting for room in the memory budget.");
        meter.CreateObservableGauge("colorizer.galleries", () => galleries.Count, unit: "{gallery}",
            description: "Galleries kept in memory (shown in a tab, or waiting for their tab to come back).");
        meter.CreateObservableGauge("colorizer.gallery.items", () => galleries.ItemCount, unit: "{image}",
            description: "Images held by all galleries.");
        meter.CreateObservableGauge("colorizer.gallery.memory", () => galleries.MemoryInUse, unit: "By",
            description: "Bytes of decoded photos and network outputs the galleries hold in memory (within the budget).");
        meter.CreateObservableGauge("colorizer.gallery.memory.budget", () => galleries.MemoryBudget, unit: "By",
            description: "The galleries' memory budget (Gallery:MemoryBudget).");
        if (galleries.Storage is { } storage)
            meter.CreateObservableGauge("colorizer.gallery.storage", () => storage.BytesInUse, unit: "By",
                description: "Bytes the galleries' photos and their previews take on disk (Gallery:DiskQuota bounds them).");
        if (videos is not null)
        {
            meter.CreateObservableGauge("colorizer.video.jobs", () => videos.Count, unit: "{job}",
                description: "Video jobs kept (queued, running, and finished until they expire).");
            meter.CreateObservableGauge("colorizer.video.storage", () => videos.StorageBytes, unit: "By",
                description: "Bytes the video jobs' uploads, segments and results take on disk (Video:StorageDirectory).");
        }
        _refusals = meter.CreateCounter<long>("colorizer.refusals", unit: "{refusal}",
            description: "Requests and uploads refused or failed, by surface and reason.");
    }

    /// <summary>Counts one refusal.</summary>
    /// <param name="surface"><c>api</c>, <c>page</c> or <c>video</c>.</param>
    /// <param name="reason">A short, bounded reason: an HTTP status, or the kind of refusal.</param>
    public void Refused(string surface, string reason) =>
        _refusals.Add(1, new KeyValuePair<string, object?>("surface", surface), new KeyValuePair<string, object?>("reason", reason));
}
