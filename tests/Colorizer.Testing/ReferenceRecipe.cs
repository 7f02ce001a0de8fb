using Colorizer.Core.Models;
using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Colorizer.Testing;

/// <summary>
/// The authors' pipeline, step by step, as the reference Python program runs it (bench/reference): float RGB → Lab at
/// full size, a bilinear resize to 224, L − 50 through OpenCV's DNN on the Caffe files, the annealed mean at T = 0.38,
/// ab resized back, joined with the full-size L, Lab → BGR, clipped to 8 bits. What every backend must match.
/// </summary>
public static class ReferenceRecipe
{
    /// <summary>The recipe's colorization of an 8-bit grey image with the model in <paramref name="modelsDirectory"/>; the caller owns it.</summary>
    public static Mat Colorize(string modelsDirectory, Mat grey)
    {
        ArgumentNullException.ThrowIfNull(grey);
        using var lab = Lab(grey);
        using var input = LightnessInput(lab, 224);

        string prototxtPath = Path.Combine(modelsDirectory, ModelFileNames.Prototxt);
        var description = File.Exists(prototxtPath)
            ? NetworkDescription.Parse(File.ReadAllText(prototxtPath), prototxtPath)
            : NetworkDescription.Release;
        string prototxt = Path.Combine(Path.GetTempPath(), $"colorizer-reference-{Guid.NewGuid():N}.prototxt");
        File.WriteAllText(prototxt, description.WithoutDecodingTail().ToPrototxt());
        float[] all;
        try
        {
            using var net = CvDnn.ReadNetFromCaffe(prototxt, Path.Combine(modelsDirectory, ModelFileNames.Weights))!;
            using var blob = CvDnn.BlobFromImage(input);
            net.SetInput(blob, NetworkDescription.InputBlob);
            using var logits = net.Forward(NetworkDescription.LogitsBlob);
            all = new float[NetworkDescription.BinCount * 56 * 56];
            System.Runtime.InteropServices.Marshal.Copy(logits.Data, all, 0, all.Length);
        }
        finally
        {
            File.Delete(prototxt);
        }
        const int cells = 56 * 56;
        using var abSmall = new Mat(56, 56, MatType.CV_32FC2);
        var cell = new float[NetworkDescription.BinCount];
        for (int i = 0; i < cells; i++)
        {
            for (int bin = 0; bin < NetworkDescription.BinCount; bin++)
                cell[bin] = all[bin * cells + i];
            var (a, b) = SyntheticModels.AnnealedMean(cell, 0.38);
            abSmall.Set(i / 56, i % 56, new Vec2f((float)a, (float)b));
        }
        using var abFull = new Mat();
        Cv2.Resize(abSmall, abFull, grey.Size());
        using var lFull = lab.ExtractChannel(0);
        var channels = Cv2.Split(abFull);
        using var joined = new Mat();
        Cv2.Merge([lFull, channels[0], channels[1]], joined);
        foreach (var channel in channels)
            channel.Dispose();
        using var bgr = new Mat();
        Cv2.CvtColor(joined, bgr, ColorConversionCodes.Lab2BGR);
        var result = new Mat();
        bgr.ConvertTo(result, MatType.CV_8UC3, 255);
        return result;
    }

    /// <summary>
    /// The recipe's network input for an 8-bit grey photo: float Lab, resized to <paramref name="size"/>² (bilinear),
    /// L − 50, CV_32FC1. The caller owns it.
    /// </summary>
    public static Mat NetworkInput(Mat grey, int size)
    {
        using var lab = Lab(grey);
        return LightnessInput(lab, size);
    }

    // BGR float in [0, 1] → Lab, at full size.
    private static Mat Lab(Mat grey)
    {
        using var bgr8 = new Mat();
        Cv2.CvtColor(grey, bgr8, ColorConversionCodes.GRAY2BGR);
        using var unit = new Mat();
        bgr8.ConvertTo(unit, MatType.CV_32FC3, 1.0 / 255);
        var lab = new Mat();
        Cv2.CvtColor(unit, lab, ColorConversionCodes.BGR2Lab);
        return lab;
    }

    private static Mat LightnessInput(Mat lab, int size)
    {
        using var small = new Mat();
        Cv2.Resize(lab, small, new Size(size, size), 0, 0, InterpolationFlags.Linear);
        using var lightness = small.ExtractChannel(0);
        var input = new Mat();
        Cv2.Subtract(lightness, Scalar.All(50), input);
        return input;
    }
}
