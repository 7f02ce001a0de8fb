using OpenCvSharp;

namespace Colorizer.Core.Video;

/// <summary>
/// Keeps colour steady over time. Frame-by-frame colorization flickers because the network's guess for the same
/// object jumps between frames; here each frame's ab grid is blended with the previous result carried along the
/// optical flow (so moving objects keep their colour rather than smearing), and the blend restarts at scene cuts.
/// Works on the network's small grid, so it costs a few milliseconds a frame.
/// </summary>
internal sealed class ChromaStabilizer : IDisposable
{
    private readonly double _newWeight;
    private readonly double _cutThreshold;
    private Mat? _previousLightness;   // 8-bit L of the previous frame at network-input size
    private Mat? _previousAb;          // the previous output ab grid (CV_32FC2)

    public ChromaStabilizer(double newWeight, double cutThreshold)
    {
        _newWeight = newWeight;
        _cutThreshold = cutThreshold;
    }

    /// <summary>
    /// The ab grid to use for this frame. <paramref name="networkInput"/> is the frame's L − 50 at network size;
    /// <paramref name="predictedAb"/> the frame's own prediction (grid size). Returns a Mat the caller owns, and
    /// whether this frame starts a new scene.
    /// </summary>
    public (Mat Ab, bool SceneCut) Next(Mat networkInput, Mat predictedAb)
    {
        var lightness = new Mat();
        // L − 50 in [−50, 50] → 8 bits, as optical flow wants.
        networkInput.ConvertTo(lightness, MatType.CV_8UC1, 2.55, 127.5);
        bool first = _previousLightness is null;
        bool cut = first || IsCut(_previousLightness!, lightness);
        Mat result;
        if (cut || _newWeight >= 1.0)
        {
            result = predictedAb.Clone();
        }
        else
        {
            using var carried = Carry(_previousAb!, _previousLightness!, lightness, predictedAb.Size());
            result = new Mat();
            Cv2.AddWeighted(predictedAb, _newWeight, carried, 1 - _newWeight, 0, result);
        }
        _previousLightness?.Dispose();
        _previousLightness = lightness;
        _previousAb?.Dispose();
        _previousAb = result.Clone();
        return (result, cut && !first);
    }

    /// <summary>Forgets the previous frame (e.g. after a seek).</summary>
    public void Reset()
    {
        _previousLightness?.Dispose();
        _previousLightness = null;
        _previousAb?.Dispose();
        _previousAb = null;
    }

    private bool IsCut(Mat previous, Mat current)
    {
        using var difference = new Mat();
        Cv2.Absdiff(previous, current, difference);
        // Back to L units (0–100).
        double meanChange = Cv2.Mean(difference).Val0 / 2.55;
        return meanChange > _cutThreshold;
    }

    // The previous ab, moved to where its content is in the current frame.
    private static Mat Carry(Mat previousAb, Mat previousLightness, Mat lightness, Size grid)
    {
        using var flow = new Mat();
        // Flow from the current frame to the previous one: current(p) ≈ previous(p + flow(p)).
        Cv2.CalcOpticalFlowFarneback(lightness, previousLightness, flow, 0.5, 3, 15, 3, 5, 1.2, OpticalFlowFlags.None);
        using var gridFlow = new Mat();
        Cv2.Resize(flow, gridFlow, grid, 0, 0, InterpolationFlags.Area);
        double scaleX = (double)grid.Width / lightness.Cols, scaleY = (double)grid.Height / lightness.Rows;
        using var map = new Mat(grid, MatType.CV_32FC2);
        int rows = grid.Height, columns = grid.Width;
        unsafe
        {
            for (int y = 0; y < rows; y++)
            {
                var source = new Span<float>((void*)gridFlow.Ptr(y), columns * 2);
                var target = new Span<float>((void*)map.Ptr(y), columns * 2);
                for (int x = 0; x < columns; x++)
                {
                    target[2 * x] = (float)(x + source[2 * x] * scaleX);
                    target[2 * x + 1] = (float)(y + source[2 * x + 1] * scaleY);
                }
            }
        }
        var carried = new Mat();
        using var noSecondMap = new Mat();
        Cv2.Remap(previousAb, carried, map, noSecondMap, InterpolationFlags.Linear, BorderTypes.Replicate);
        return carried;
    }

    public void Dispose() => Reset();
}
