using Colorizer.Testing;
using OpenCvSharp;

namespace Colorizer.Web.Tests.Infrastructure;

/// <summary>Reads the API's images back and measures them.</summary>
public static class ImageAssertions
{
    /// <summary>Decodes an encoded image as is (the caller owns it); fails the test when OpenCV cannot.</summary>
    public static Mat Decode(byte[] encoded)
    {
        var image = Cv2.ImDecode(encoded, ImreadModes.Unchanged);
        if (image.Empty())
        {
            image.Dispose();
            Assert.Fail($"The response body ({encoded.Length} bytes) is not an image OpenCV can decode.");
        }
        return image;
    }

    /// <summary>The mean chroma √(a² + b²) in Lab: about 0 for grey, 36 for the tiny model's (20, 30).</summary>
    public static double MeanChroma(Mat image)
    {
        using var lab = TestImages.ToLab(image);
        var channels = Cv2.Split(lab);
        try
        {
            using var chroma = new Mat();
            Cv2.Magnitude(channels[1], channels[2], chroma);
            return Cv2.Mean(chroma).Val0;
        }
        finally
        {
            foreach (var channel in channels)
                channel.Dispose();
        }
    }

    /// <summary>The mean a and b in Lab.</summary>
    public static (double A, double B) MeanAb(Mat image)
    {
        using var lab = TestImages.ToLab(image);
        var mean = Cv2.Mean(lab);
        return (mean.Val1, mean.Val2);
    }
}
