using System.Globalization;
using Colorizer.Core.Colorization;

namespace Colorizer.Core.Video;

/// <summary>How a video is colorized. Validated like <see cref="ColorizationOptions"/>: out of range is an error.</summary>
public sealed record VideoOptions
{
    /// <summary>Temperature, saturation and render size, as for a photo.</summary>
    public ColorizationOptions Colorization { get; init; } = ColorizationOptions.Default;

    /// <summary>
    /// Stabilize the colour over time (default on): each frame's predicted ab is blended with the previous frame's
    /// result, carried along the optical flow, and the blend restarts at scene cuts. Off gives frame-by-frame colour.
    /// </summary>
    public bool Stabilize { get; init; } = true;

    /// <summary>
    /// The weight of the current frame's prediction in the blend, in (0, 1]; default 0.3. Lower is steadier but
    /// slower to follow real colour changes; 1 is the same as no stabilization.
    /// </summary>
    public double NewFrameWeight { get; init; } = 0.3;

    /// <summary>
    /// A scene cut: the mean lightness change between two frames (L units, 0–100) above which the blend restarts;
    /// default 12.
    /// </summary>
    public double SceneCutThreshold { get; init; } = 12;

    /// <summary>
    /// Frames whose network input differs from the last predicted frame's by less than this mean lightness change
    /// (L units) reuse its prediction instead of running the network; default 0.4 (near-identical frames, as in
    /// static shots). 0 runs the network on every frame.
    /// </summary>
    public double SkipThreshold { get; init; } = 0.4;

    /// <summary>
    /// Run the network on key frames only and carry their colour to the frames between along the optical flow
    /// (default on): a new key frame comes at a scene cut, when the scene has moved or shown enough new content since
    /// the last one, or after <see cref="KeyFrameInterval"/> frames. Off runs the network on every frame.
    /// </summary>
    public bool KeyFrames { get; init; } = true;

    /// <summary>With <see cref="KeyFrames"/>: the most frames from one key frame to the next, 1–300; default 12 (half a second at 24 fps). 1 is every frame.</summary>
    public int KeyFrameInterval { get; init; } = DefaultKeyFrameInterval;

    /// <summary>The default <see cref="KeyFrameInterval"/>.</summary>
    public const int DefaultKeyFrameInterval = 12;

    /// <summary>The largest <see cref="KeyFrameInterval"/>.</summary>
    public const int MaxKeyFrameInterval = 300;

    /// <summary>
    /// Encode in segments of <see cref="SegmentSeconds"/>, recorded as they finish in a manifest in a hidden folder
    /// beside the output, so that colorizing the same input into the same output again after an interruption does only
    /// the segments that are missing, then joins them (default off; needs ffmpeg, without it the run is done in one go).
    /// </summary>
    public bool Resumable { get; init; }

    /// <summary>With <see cref="Resumable"/>: discard the segments an earlier, interrupted run finished and start again.</summary>
    public bool Restart { get; init; }

    /// <summary>
    /// Colorize only this part of the video's segments, into a parts folder in the output's folder, to be joined with
    /// the other parts by <see cref="VideoParts.JoinAsync"/>; resumable like <see cref="Resumable"/>. Null: the whole video.
    /// </summary>
    public VideoPart? Part { get; init; }

    /// <summary>With <see cref="Resumable"/>: the length of a segment in seconds of video, 1–60; default 4.</summary>
    public double SegmentSeconds { get; init; } = 4;

    /// <summary>H.264 quality (x264 CRF, 0–51, lower is better); default 18, visually lossless.</summary>
    public int Quality { get; init; } = 18;

    /// <summary>Keep the input's audio track when ffmpeg is available; default true.</summary>
    public bool KeepAudio { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static VideoOptions Default { get; } = new();

    /// <summary>Throws <see cref="InvalidColorizationOptionException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        Colorization.Validate();
        if (!(NewFrameWeight > 0 && NewFrameWeight <= 1))
            throw new InvalidColorizationOptionException(nameof(NewFrameWeight), $"NewFrameWeight must be greater than 0 and at most 1; got {Format(NewFrameWeight)}.");
        if (!(SceneCutThreshold > 0 && SceneCutThreshold <= 100))
            throw new InvalidColorizationOptionException(nameof(SceneCutThreshold), $"SceneCutThreshold must be greater than 0 and at most 100; got {Format(SceneCutThreshold)}.");
        if (!(SkipThreshold >= 0 && SkipThreshold <= 10))
            throw new InvalidColorizationOptionException(nameof(SkipThreshold), $"SkipThreshold must be between 0 and 10; got {Format(SkipThreshold)}.");
        if (KeyFrameInterval is < 1 or > MaxKeyFrameInterval)
            throw new InvalidColorizationOptionException(nameof(KeyFrameInterval), $"KeyFrameInterval must be between 1 and {MaxKeyFrameInterval}; got {KeyFrameInterval}.");
        if (!(SegmentSeconds >= 1 && SegmentSeconds <= 60))
            throw new InvalidColorizationOptionException(nameof(SegmentSeconds), $"SegmentSeconds must be between 1 and 60; got {Format(SegmentSeconds)}.");
        if (Quality is < 0 or > 51)
            throw new InvalidColorizationOptionException(nameof(Quality), $"Quality must be between 0 and 51; got {Quality}.");
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
