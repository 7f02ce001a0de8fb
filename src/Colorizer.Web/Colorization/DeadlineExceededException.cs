using System.Globalization;
using Colorizer.Core;

namespace Colorizer.Web.Colorization;

/// <summary>
/// A colorization did not finish within <c>Queue:Deadline</c> (waiting in line and working together) and was
/// cancelled: the server is too busy. Not an <see cref="OperationCanceledException"/>, so that callers can tell it
/// from their own cancellation (a closed tab, a client that went away). The API answers 503 with Retry-After.
/// </summary>
public sealed class DeadlineExceededException(TimeSpan deadline, bool whileWaiting, Exception? inner = null, long? memoryBudget = null)
    : ColorizerException(Describe(deadline, whileWaiting, memoryBudget), inner)
{
    /// <summary>
    /// The memory budget (<c>Admission:MemoryBudget</c>) the job was still waiting for room in when the deadline
    /// passed, or null when it was waiting for its turn in the queue or working.
    /// </summary>
    public long? MemoryBudget { get; } = memoryBudget;

    /// <summary>The deadline that passed.</summary>
    public TimeSpan Deadline { get; } = deadline;

    /// <summary>True when the job was still waiting for its turn; false when it had started running.</summary>
    public bool WhileWaiting { get; } = whileWaiting;

    /// <summary>A deadline for people: "60 s", "1.5 s", "200 ms".</summary>
    public static string Format(TimeSpan deadline) => deadline.TotalSeconds >= 1
        ? deadline.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s"
        : deadline.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    private static string Describe(TimeSpan deadline, bool whileWaiting, long? memoryBudget) =>
        $"The server is too busy: the image was not colorized within the deadline of {Format(deadline)} " +
        (memoryBudget is { } budget
            ? $"(it was still waiting for room in the memory for images in flight: the images being uploaded and colorized already hold the server's budget of {Api.UploadLimits.Describe(budget)})"
            : whileWaiting ? "(it was still waiting in line)" : "(the work did not finish in time)") + ". Try again later.";
}
