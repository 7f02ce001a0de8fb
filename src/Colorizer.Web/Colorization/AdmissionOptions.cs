using System.ComponentModel.DataAnnotations;

namespace Colorizer.Web.Colorization;

/// <summary>
/// The memory budget for images in flight (<see cref="MemoryBudget"/>), bound from the <c>Admission</c> section and
/// validated at start.
/// </summary>
public sealed class AdmissionOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Admission";

    /// <summary>
    /// The most bytes that uploads and colorizations in flight may hold together (<c>Admission:MemoryBudget</c>);
    /// default 1 GiB, so that the ready server (about 350 MB on ONNX Runtime), the galleries' own budget (192 MiB) and
    /// this fit the Kubernetes pod's 2 GiB limit. An API upload is charged its request body before it is read, and
    /// every colorization (API or page) its file and decoded working set before it takes a place in the queue; all other
    /// work on pixels (the page's re-runs, comparisons, repairs, reference photos, preview re-renders and downloads, and
    /// each video job's frames) its working set (<see cref="EstimateWorkingSet"/>) while it runs. Work that does not fit
    /// waits, within <c>Queue:Deadline</c> (a video as long as it takes). A single request larger than the whole budget
    /// is served when nothing else is in flight.
    /// </summary>
    [Range(1L << 20, 1L << 44, ErrorMessage = "Admission:MemoryBudget must be between 1048576 (1 MiB) and 17592186044416 (16 TiB) bytes.")]
    public long MemoryBudget { get; set; } = 1L << 30;

    /// <summary>
    /// The bytes a colorization holds per pixel of its photo (<c>Admission:BytesPerPixel</c>), estimated from the
    /// header before decoding; default 10: the decoded photo (1 byte a pixel for grey, 3 for colour), the result's
    /// 3-byte BGR, and the encoded answer (up to 3 bytes a pixel for a PNG, held natively and as the response).
    /// </summary>
    [Range(1, 64, ErrorMessage = "Admission:BytesPerPixel must be between 1 and 64.")]
    public int BytesPerPixel { get; set; } = 10;

    /// <summary>
    /// What working on an image of <paramref name="width"/> × <paramref name="height"/> holds: its pixels ×
    /// <see cref="BytesPerPixel"/>. The one estimate every charge is made with: a photo before it is decoded (from its
    /// header), a page's re-render, repair or reference photo, and a video's frame.
    /// </summary>
    public long EstimateWorkingSet(int width, int height) => (long)Math.Max(0, width) * Math.Max(0, height) * BytesPerPixel;
}
