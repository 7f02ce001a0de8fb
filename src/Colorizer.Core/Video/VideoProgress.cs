namespace Colorizer.Core.Video;

/// <summary>How far a video is.</summary>
/// <param name="FramesDone">Frames written.</param>
/// <param name="TotalFrames">Frames the container announces (an estimate for some formats; 0 if unknown).</param>
/// <param name="FramesPerSecond">Processing speed so far.</param>
/// <param name="Remaining">Estimated time left, if the total is known.</param>
public sealed record VideoProgress(int FramesDone, int TotalFrames, double FramesPerSecond, TimeSpan? Remaining)
{
    /// <summary>0–1, or null when the total is unknown.</summary>
    public double? Fraction => TotalFrames > 0 ? Math.Min(1.0, (double)FramesDone / TotalFrames) : null;
}

/// <summary>What a finished video colorization did.</summary>
/// <param name="Frames">Frames written (always every frame read).</param>
/// <param name="Width">Frame width.</param>
/// <param name="Height">Frame height.</param>
/// <param name="FramesPerSecond">The frame rate, as read and as written.</param>
/// <param name="ForwardPasses">Network passes: at most one per frame, fewer when near-identical frames reuse a prediction.</param>
/// <param name="SceneCuts">Scene cuts found (where the stabilization restarted).</param>
/// <param name="RawFlicker">Mean frame-to-frame change of the predicted ab (ab units), cuts excluded, over consecutive frames that both had a prediction: the flicker without stabilization.</param>
/// <param name="OutputFlicker">The same for the written colour: equal to <paramref name="RawFlicker"/> without stabilization.</param>
/// <param name="AudioKept">True when the input's audio was copied into the result.</param>
/// <param name="Warning">Why the result lacks something (e.g. silent because ffmpeg is missing), or null.</param>
public sealed record VideoResult(
    int Frames, int Width, int Height, double FramesPerSecond, int ForwardPasses, int SceneCuts,
    double RawFlicker, double OutputFlicker, bool AudioKept, string? Warning)
{
    /// <summary>
    /// Frames whose colour came from a prediction of their own (blended with the carried colour when stabilizing);
    /// the others carry it from the frame before along the optical flow. Every frame without key frames.
    /// </summary>
    public int KeyFrames { get; init; }

    /// <summary>Frames a resumable run found done by an earlier, interrupted run of the same work (0 for a fresh run).</summary>
    public int ResumedFrames { get; init; }
}
