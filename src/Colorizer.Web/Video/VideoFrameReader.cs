using OpenCvSharp;

namespace Colorizer.Web.Video;

/// <summary>Single frames out of a video file, for the frame-by-frame comparison.</summary>
internal static class VideoFrameReader
{
    /// <summary>
    /// Frame <paramref name="index"/> (0-based) of <paramref name="path"/> as BGR, or null when the file cannot be opened
    /// or has no such frame. Seeks by frame number; the caller owns the Mat.
    /// </summary>
    public static Mat? Read(string path, int index)
    {
        if (index < 0 || !File.Exists(path))
            return null;
        using var capture = new VideoCapture(path, VideoCaptureAPIs.FFMPEG);
        if (!capture.IsOpened())
            return null;
        if (index > 0)
            capture.Set(VideoCaptureProperties.PosFrames, index);
        var frame = new Mat();
        if (!capture.Read(frame) || frame.Empty())
        {
            frame.Dispose();
            return null;
        }
        if (frame.Channels() == 3)
            return frame;
        using (frame)
        {
            var bgr = new Mat();
            Cv2.CvtColor(frame, bgr, frame.Channels() == 1 ? ColorConversionCodes.GRAY2BGR : ColorConversionCodes.BGRA2BGR);
            return bgr;
        }
    }

    /// <summary>
    /// The same frame of both files, at one display size (the longer side at most <paramref name="maxSide"/>), as
    /// JPEG; null when either cannot be read.
    /// </summary>
    public static VideoFramePair? ReadPair(string originalPath, string resultPath, int index, int maxSide)
    {
        using var result = Read(resultPath, index);
        if (result is null)
            return null;
        using var original = Read(originalPath, index);
        if (original is null)
            return null;
        int width = result.Width, height = result.Height;
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(width, height));
        var size = new Size(Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
        return new VideoFramePair(index, Encode(original, size), Encode(result, size), "image/jpeg");
    }

    private static byte[] Encode(Mat frame, Size size)
    {
        if (frame.Size() == size)
            return frame.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 85));
        using var scaled = new Mat();
        Cv2.Resize(frame, scaled, size, 0, 0, InterpolationFlags.Area);
        return scaled.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 85));
    }
}
