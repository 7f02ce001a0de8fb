using OpenCvSharp;

namespace Colorizer.Core.Video;

/// <summary>
/// Keeps colour steady over time. Frame-by-frame colorization flickers because the network's guess for the same
/// object jumps between frames; here each frame's ab grid is blended with the previous result carried along the
/// optical flow (so moving objects keep their colour rather than smearing), and the blend restarts at scene cuts.
/// The same flow carries the colour to frames the network does not see at all (between key frames), and says how much
/// the scene moved and how much of it is new, which decides when the next key frame is due.
/// Works on the network's small grid, so it costs a few milliseconds a frame.
/// </summary>
internal sealed class ChromaStabilizer : IDisposable
{
    // A pixel whose lightness, warped from the previous frame, misses its own by more than this (L units) shows
    // something the previous frame did not: uncovered background, or flow that failed there.
    private const double MismatchLightness = 10;

    private readonly double _newWeight;
    private readonly double _cutThreshold;
    private readonly bool _trackMotion;
    private Mat? _previousLightness;   // 8-bit L of the previous frame at network-input size
    private Mat? _previousAb;          // the previous output ab grid (CV_32FC2)
    private Mat? _lightness;           // the frame being observed
    private Mat? _carried;             // the previous output ab, moved to where its content is in this frame
    private Mat? _previousStale;       // per grid cell, 1 where the previous colour came in over an edge since the last prediction
    private Mat? _stale;               // the same, moved along with the carried colour
    private FrameMotion _motion;
    private int _framesSinceBlend = 1;  // carried frames since the last blend, plus one

    /// <param name="newWeight">The prediction's weight in the blend; 1 passes predictions through unchanged.</param>
    /// <param name="cutThreshold">Mean lightness change (L units) that counts as a scene cut.</param>
    /// <param name="trackMotion">Compute the flow even when nothing is blended (key frames need it to carry colour).</param>
    public ChromaStabilizer(double newWeight, double cutThreshold, bool trackMotion = false)
    {
        _newWeight = newWeight;
        _cutThreshold = cutThreshold;
        _trackMotion = trackMotion;
    }

    /// <summary>
    /// The ab grid to use for this frame. <paramref name="networkInput"/> is the frame's L − 50 at network size;
    /// <paramref name="predictedAb"/> the frame's own prediction (grid size). Returns a Mat the caller owns, and
    /// whether this frame starts a new scene.
    /// </summary>
    public (Mat Ab, bool SceneCut) Next(Mat networkInput, Mat predictedAb)
    {
        var motion = Observe(networkInput);
        return (Blend(predictedAb), motion.SceneCut);
    }

    /// <summary>
    /// Looks at the next frame (its L − 50 at network size) before anything is decided about it: whether it is a cut,
    /// how far its content moved since the previous frame and how much of it is new. Follow with
    /// <see cref="Blend"/> or <see cref="Carry"/>.
    /// </summary>
    public FrameMotion Observe(Mat networkInput)
    {
        _lightness?.Dispose();
        _carried?.Dispose();
        _carried = null;
        _stale?.Dispose();
        _stale = null;
        _lightness = new Mat();
        // L − 50 in [−50, 50] → 8 bits, as optical flow wants.
        networkInput.ConvertTo(_lightness, MatType.CV_8UC1, 2.55, 127.5);
        if (_previousLightness is null || _previousAb is null)
            return _motion = new FrameMotion(First: true, SceneCut: false, Motion: 0, Uncovered: 1, Mismatched: 1);
        if (IsCut(_previousLightness, _lightness))
            return _motion = new FrameMotion(First: false, SceneCut: true, Motion: 0, Uncovered: 1, Mismatched: 1);
        if (_newWeight >= 1.0 && !_trackMotion)
            return _motion = new FrameMotion(First: false, SceneCut: false, Motion: 0, Uncovered: 0, Mismatched: 0);
        (_carried, _stale, double motion, double uncovered, double mismatched) = Track(_previousAb, _previousStale, _previousLightness, _lightness);
        return _motion = new FrameMotion(First: false, SceneCut: false, motion, uncovered, mismatched);
    }

    /// <summary>This frame's colour from its own prediction, blended with the carried colour; a Mat the caller owns.</summary>
    public Mat Blend(Mat predictedAb)
    {
        Mat result;
        if (_carried is null || _newWeight >= 1.0)
        {
            result = predictedAb.Clone();
        }
        else
        {
            // The blend steadies colour over time, not over predictions: after k carried frames the prediction weighs
            // what k blends in a row would have given it (1 − (1 − w)^k), so key frames follow real colour changes as
            // fast as frame-by-frame blending does instead of lagging behind them.
            double newWeight = 1 - Math.Pow(1 - _newWeight, _framesSinceBlend);
            // Where the carried colour is only the edge's, smeared over content that came in since the last prediction,
            // the prediction is taken whole; elsewhere it is blended in with its weight.
            using var weight = new Mat();
            _stale!.ConvertTo(weight, MatType.CV_32FC1, 1 - newWeight, newWeight);
            using var weights = new Mat();
            Cv2.Merge([weight, weight], weights);
            using var change = new Mat();
            Cv2.Subtract(predictedAb, _carried, change);
            Cv2.Multiply(change, weights, change);
            result = new Mat();
            Cv2.Add(_carried, change, result);
        }
        _framesSinceBlend = 1;
        return Commit(result, stale: null);
    }

    /// <summary>
    /// This frame's colour carried from the previous frame's along the flow, with no prediction of its own; a Mat the
    /// caller owns. Only after an <see cref="Observe"/> that was neither the first frame nor a cut.
    /// </summary>
    public Mat Carry()
    {
        if (_carried is null)
            throw new InvalidOperationException(_motion.First || _motion.SceneCut
                ? "The first frame and a cut have nothing to carry: they need a prediction."
                : "Carrying needs motion tracking.");
        _framesSinceBlend++;
        return Commit(_carried.Clone(), _stale);
    }

    // The frame's colour becomes the previous; so does its staleness (null: all from a prediction).
    private Mat Commit(Mat result, Mat? stale)
    {
        var previousStale = stale?.Clone() ?? new Mat(result.Size(), MatType.CV_32FC1, Scalar.All(0));
        _previousStale?.Dispose();
        _previousStale = previousStale;
        _stale?.Dispose();
        _stale = null;
        _previousLightness?.Dispose();
        _previousLightness = _lightness;
        _lightness = null;
        _previousAb?.Dispose();
        _previousAb = result.Clone();
        _carried?.Dispose();
        _carried = null;
        return result;
    }

    /// <summary>Forgets the previous frame (e.g. after a seek).</summary>
    public void Reset()
    {
        _previousLightness?.Dispose();
        _previousLightness = null;
        _previousAb?.Dispose();
        _previousAb = null;
        _lightness?.Dispose();
        _lightness = null;
        _carried?.Dispose();
        _carried = null;
        _previousStale?.Dispose();
        _previousStale = null;
        _stale?.Dispose();
        _stale = null;
        _framesSinceBlend = 1;
    }

    private bool IsCut(Mat previous, Mat current)
    {
        using var difference = new Mat();
        Cv2.Absdiff(previous, current, difference);
        // Back to L units (0–100).
        double meanChange = Cv2.Mean(difference).Val0 / 2.55;
        return meanChange > _cutThreshold;
    }

    // The previous ab, moved to where its content is in the current frame; with the mean motion (a fraction of the
    // frame's side) and the fraction of the frame the previous one did not show.
    private static (Mat Carried, Mat Stale, double Motion, double Uncovered, double Mismatched) Track(Mat previousAb, Mat? previousStale, Mat previousLightness, Mat lightness)
    {
        var grid = previousAb.Size();
        using var flow = new Mat();
        // Flow from the current frame to the previous one: current(p) ≈ previous(p + flow(p)).
        Cv2.CalcOpticalFlowFarneback(lightness, previousLightness, flow, 0.5, 3, 15, 3, 5, 1.2, OpticalFlowFlags.None);
        double mismatched = Mismatched(flow, previousLightness, lightness);

        using var gridFlow = new Mat();
        Cv2.Resize(flow, gridFlow, grid, 0, 0, InterpolationFlags.Area);
        // Motion and the uncovered part are measured on the grid's averaged flow: on flat, grainy areas the flow of
        // single pixels is noise that averages out, while real motion does not.
        double motion = MeanLength(gridFlow) / Math.Max(lightness.Rows, lightness.Cols);
        double scaleX = (double)grid.Width / lightness.Cols, scaleY = (double)grid.Height / lightness.Rows;
        using var map = FlowMap(gridFlow, scaleX, scaleY, out int outside);
        double uncovered = (double)outside / (grid.Width * grid.Height);
        var carried = new Mat();
        using var noSecondMap = new Mat();
        Cv2.Remap(previousAb, carried, map, noSecondMap, InterpolationFlags.Linear, BorderTypes.Replicate);
        // What comes in over the edge is stale: it has only the edge's colour.
        var stale = new Mat();
        using var fresh = previousStale is null ? new Mat(grid, MatType.CV_32FC1, Scalar.All(0)) : null;
        Cv2.Remap(previousStale ?? fresh!, stale, map, noSecondMap, InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(1));
        return (carried, stale, motion, uncovered, mismatched);
    }

    private static double MeanLength(Mat flow)
    {
        var channels = flow.Split();
        try
        {
            using var length = new Mat();
            Cv2.Magnitude(channels[0], channels[1], length);
            return Cv2.Mean(length).Val0;
        }
        finally
        {
            foreach (var channel in channels)
                channel.Dispose();
        }
    }

    // The part of the frame whose lightness the previous frame, warped along the flow, does not match.
    private static double Mismatched(Mat flow, Mat previousLightness, Mat lightness)
    {
        using var map = FlowMap(flow, 1, 1, out _);
        using var warped = new Mat();
        using var noSecondMap = new Mat();
        Cv2.Remap(previousLightness, warped, map, noSecondMap, InterpolationFlags.Linear, BorderTypes.Replicate);
        using var difference = new Mat();
        Cv2.Absdiff(warped, lightness, difference);
        using var mismatched = new Mat();
        Cv2.Threshold(difference, mismatched, MismatchLightness * 2.55, 255, ThresholdTypes.Binary);
        int pixels = lightness.Rows * lightness.Cols;
        return (double)Cv2.CountNonZero(mismatched) / pixels;
    }

    // A remap table: each pixel's own position plus its flow (scaled to the table's size); counts the pixels whose
    // source lies outside the frame.
    private static Mat FlowMap(Mat flow, double scaleX, double scaleY, out int outside)
    {
        int rows = flow.Rows, columns = flow.Cols;
        var map = new Mat(rows, columns, MatType.CV_32FC2);
        outside = 0;
        unsafe
        {
            for (int y = 0; y < rows; y++)
            {
                var source = new Span<float>((void*)flow.Ptr(y), columns * 2);
                var target = new Span<float>((void*)map.Ptr(y), columns * 2);
                for (int x = 0; x < columns; x++)
                {
                    float mappedX = (float)(x + source[2 * x] * scaleX), mappedY = (float)(y + source[2 * x + 1] * scaleY);
                    target[2 * x] = mappedX;
                    target[2 * x + 1] = mappedY;
                    // More than half a cell past the edge: content the previous frame did not have.
                    if (mappedX < -0.5f || mappedY < -0.5f || mappedX > columns - 0.5f || mappedY > rows - 0.5f)
                        outside++;
                }
            }
        }
        return map;
    }

    public void Dispose() => Reset();
}

/// <summary>What the stabilizer saw between a frame and the one before it.</summary>
/// <param name="First">No frame before it.</param>
/// <param name="SceneCut">The lightness changed too much for the two to be one shot.</param>
/// <param name="Motion">Mean optical-flow length, as a fraction of the frame's longer side.</param>
/// <param name="Uncovered">Fraction of the frame whose flow leads outside the previous one (1 for the first frame and cuts).</param>
/// <param name="Mismatched">Fraction of the frame whose lightness the previous frame, warped along the flow, misses (1 for the first frame and cuts).</param>
internal readonly record struct FrameMotion(bool First, bool SceneCut, double Motion, double Uncovered, double Mismatched);
