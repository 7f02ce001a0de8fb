using Colorizer.Core.Restoration;
using Colorizer.Web.Video;

namespace Colorizer.Web.Api;

/// <summary>A video job as <c>GET /api/videos/{id}</c> reports it (and <c>POST /api/videos</c> answers with).</summary>
/// <param name="Id">The job's id: 22 characters of base64url. Knowing it is what gives access to the job.</param>
/// <param name="State">queued, running, done, failed or cancelled.</param>
/// <param name="FileName">The uploaded file's name.</param>
/// <param name="SizeBytes">The upload's size in bytes.</param>
/// <param name="CreatedAt">When the upload was accepted.</param>
/// <param name="StartedAt">When colorizing started, or null.</param>
/// <param name="FinishedAt">When the job ended (done, failed or cancelled), or null.</param>
/// <param name="ExpiresAt">When a finished job and its files will be deleted, or null while it has not finished.</param>
/// <param name="Settings">How the video is colorized.</param>
/// <param name="Queue">While queued: its place in line; otherwise null.</param>
/// <param name="Progress">While running: frames done of the total, speed and time left; otherwise null.</param>
/// <param name="Result">Once done: what the colorization did and where the MP4 is; otherwise null.</param>
/// <param name="Error">Why the job failed, or that it was cancelled; otherwise null.</param>
/// <param name="Url">This resource's address.</param>
public sealed record VideoJobResource(
    string Id,
    string State,
    string FileName,
    long SizeBytes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? ExpiresAt,
    VideoSettingsResource Settings,
    VideoQueueResource? Queue,
    VideoProgressResource? Progress,
    VideoResultResource? Result,
    string? Error,
    string Url)
{
    /// <summary>The resource for <paramref name="job"/>; <paramref name="url"/> is its address (with the app's base).</summary>
    internal static VideoJobResource From(VideoJobSnapshot job, string url)
    {
        var colorization = job.Settings.Colorization;
        bool onnx = job.Settings.Model.IsOnnxFile;
        var settings = new VideoSettingsResource(colorization.Model, onnx ? null : colorization.RenderSize, onnx ? colorization.RenderSize : null,
            colorization.Saturation, colorization.Temperature, job.Settings.Stabilize, job.Settings.KeyFrames,
            RestorationStepNames.Format(colorization.Restoration.Steps), colorization.Restoration.Strength);
        var queue = job.State == VideoJobState.Queued ? new VideoQueueResource(job.JobsAhead, job.Note) : null;
        VideoProgressResource? progress = null;
        if (job.State == VideoJobState.Running)
        {
            var p = job.Progress;
            int total = Math.Max(p?.TotalFrames ?? 0, job.TotalFrames);
            int? eta = p?.Remaining is { } remaining ? (int)Math.Ceiling(Math.Max(0, remaining.TotalSeconds)) : null;
            progress = new VideoProgressResource(p?.FramesDone ?? 0, total, Math.Round(p?.FramesPerSecond ?? 0, 2), eta);
        }
        VideoResultResource? result = null;
        if (job is { State: VideoJobState.Done, Result: { } r })
        {
            result = new VideoResultResource(r.Frames, r.Width, r.Height, r.FramesPerSecond,
                Math.Round(r.Frames / Math.Max(0.001, r.FramesPerSecond), 3), r.ForwardPasses, r.KeyFrames, r.SceneCuts, r.AudioKept, r.Warning,
                Math.Round(r.RawFlicker, 4), Math.Round(r.OutputFlicker, 4), url + "/result", job.DownloadName);
        }
        string? error = job.State is VideoJobState.Failed or VideoJobState.Cancelled ? job.Error : null;
        return new VideoJobResource(job.Id, job.State.ToString().ToLowerInvariant(), job.FileName, job.SizeBytes, job.CreatedAt, job.StartedAt,
            job.FinishedAt, job.ExpiresAt, settings, queue, progress, result, error, url);
    }
}

/// <summary>How a video is colorized.</summary>
/// <param name="Model">The model's id (see <c>GET /api/models</c>).</param>
/// <param name="RenderSize">The eccv16 network's input side; null for the DDColor and DeOldify models.</param>
/// <param name="ModelSize">The DDColor or DeOldify model's input side; null for eccv16.</param>
/// <param name="Saturation">The multiplier on the predicted colour.</param>
/// <param name="Temperature">The eccv16 network's annealed-mean temperature.</param>
/// <param name="Stabilize">Whether the colour is kept steady from frame to frame.</param>
/// <param name="KeyFrames">Whether the network runs on key frames only, the colour carried along the motion between them.</param>
/// <param name="Restore">The repairs made to each frame first, comma-separated (dust, scratches, noise, contrast); empty for none.</param>
/// <param name="RestoreStrength">How strong the noise and contrast repairs are, 0 to 1.</param>
public sealed record VideoSettingsResource(string Model, int? RenderSize, int? ModelSize, double Saturation, double Temperature, bool Stabilize,
    bool KeyFrames, string Restore, double RestoreStrength);

/// <summary>A queued job's place in line.</summary>
/// <param name="JobsAhead">Videos that will run before this one (the running one counts); 0 when it is next.</param>
/// <param name="Note">What it waits for (the model, a free slot of the work queue), or null.</param>
public sealed record VideoQueueResource(int JobsAhead, string? Note);

/// <summary>A running job's progress.</summary>
/// <param name="FramesDone">Frames written so far.</param>
/// <param name="TotalFrames">The frames in the video, as its container announces them (0 when unknown).</param>
/// <param name="FramesPerSecond">The speed of the work, frames a second.</param>
/// <param name="EtaSeconds">Seconds left, rounded up; null while too few frames have been timed for an estimate.</param>
public sealed record VideoProgressResource(int FramesDone, int TotalFrames, double FramesPerSecond, int? EtaSeconds);

/// <summary>What a finished colorization did, as the job's page shows it.</summary>
/// <param name="Frames">Frames written (every frame read).</param>
/// <param name="Width">Frame width in pixels.</param>
/// <param name="Height">Frame height in pixels.</param>
/// <param name="FramesPerSecond">The frame rate, as read and as written.</param>
/// <param name="DurationSeconds">The video's length in seconds.</param>
/// <param name="NetworkPasses">Network passes: at most one a frame, fewer with key frames or near-identical frames.</param>
/// <param name="KeyFrames">Frames whose colour came from a prediction of their own.</param>
/// <param name="SceneCuts">Scene cuts found (where the stabilization restarted).</param>
/// <param name="AudioKept">True when the input's audio was copied into the result.</param>
/// <param name="Warning">Why the result lacks something (e.g. silent because ffmpeg is missing), or null.</param>
/// <param name="RawFlicker">Mean frame-to-frame change of the predicted colour: the flicker without stabilization.</param>
/// <param name="OutputFlicker">The same for the written colour.</param>
/// <param name="ResultUrl">Where the colorized MP4 is (<c>GET</c>, with range requests).</param>
/// <param name="DownloadName">The file name the MP4 is offered under.</param>
public sealed record VideoResultResource(int Frames, int Width, int Height, double FramesPerSecond, double DurationSeconds, int NetworkPasses,
    int KeyFrames, int SceneCuts, bool AudioKept, string? Warning, double RawFlicker, double OutputFlicker, string ResultUrl, string DownloadName);
