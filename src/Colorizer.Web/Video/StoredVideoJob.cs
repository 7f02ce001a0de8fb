namespace Colorizer.Web.Video;

/// <summary>
/// A video job as its row in <c>jobs.db</c> keeps it: enough to show it again and to carry it on after a restart.
/// </summary>
/// <param name="Snapshot">Its state when last written (a running job is written as running; it is queued again at start).</param>
/// <param name="Sequence">The order of arrival, for the queue after a restart.</param>
/// <param name="Folder">The name of its folder under <c>jobs/</c>, generated (never the id, never the user's file name).</param>
/// <param name="InputName">The upload's file name in that folder (its extension gives its media type).</param>
internal sealed record StoredVideoJob(VideoJobSnapshot Snapshot, long Sequence, string Folder, string InputName);
