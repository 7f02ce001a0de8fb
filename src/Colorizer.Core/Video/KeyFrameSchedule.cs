namespace Colorizer.Core.Video;

/// <summary>
/// Decides which frames run the network. A key frame comes at the first frame and at a cut, when the scene has moved
/// or shown enough that is new since the last key frame (colour carried further along the flow drifts and smears), or
/// when the interval runs out.
/// </summary>
internal sealed class KeyFrameSchedule(int interval)
{
    /// <summary>Motion since the last key frame, summed over frames as a fraction of the frame's side, that asks for a new one.</summary>
    internal const double MotionLimit = 0.05;

    /// <summary>New content since the last key frame (uncovered at the frame's edges, summed over frames) that asks for a new one.</summary>
    internal const double UncoveredLimit = 0.1;

    /// <summary>
    /// The part of one frame that the flow could not explain (the warped previous frame misses it) that asks for a new
    /// key frame: occlusion, something entering, or flow that failed. Per frame, since grain alone mismatches about 1 %
    /// of a frame every frame, which summed would ask for a key frame every few frames.
    /// </summary>
    internal const double MismatchLimit = 0.08;

    private int _sinceKey;
    private double _motion, _uncovered;

    /// <summary>
    /// True when this frame needs its own prediction (always with <paramref name="force"/>). An interval of 1 makes
    /// every frame a key frame.
    /// </summary>
    public bool IsKeyFrame(FrameMotion motion, bool force = false)
    {
        _sinceKey++;
        _motion += motion.Motion;
        _uncovered += motion.Uncovered;
        bool key = force || interval <= 1 || motion.First || motion.SceneCut || _sinceKey >= interval
                   || _motion >= MotionLimit || _uncovered >= UncoveredLimit || motion.Mismatched >= MismatchLimit;
        if (key)
            (_sinceKey, _motion, _uncovered) = (0, 0, 0);
        return key;
    }
}
