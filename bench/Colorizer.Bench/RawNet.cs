using System.Runtime.InteropServices;
using Colorizer.Core.Models;
using Colorizer.Testing;
using OpenCvSharp;
using OpenCvSharp.Dnn;

namespace Colorizer.Bench;

/// <summary>
/// The colorization network loaded straight into an OpenCV <see cref="Net"/>, outside the engine, for experiments the
/// engine does not expose (batches, targets, several nets at once): the release description without its decoding tail
/// (<c>NetworkDescription.Release.WithoutDecodingTail().ToPrototxt()</c>, as the engine loads it) and the given weights.
/// </summary>
internal static class RawNet
{
    /// <summary>Writes the trimmed prototxt (the network up to <c>conv8_313</c>) to <paramref name="path"/>.</summary>
    public static string WriteTrimmedPrototxt(string path)
    {
        File.WriteAllText(path, NetworkDescription.Release.WithoutDecodingTail().ToPrototxt());
        return path;
    }

    /// <summary>A new net on the OpenCV backend with <paramref name="target"/>; the caller owns it.</summary>
    public static Net Load(string modelsDirectory, Target target = Target.CPU)
    {
        string prototxt = WriteTrimmedPrototxt(Path.Combine(Path.GetTempPath(), $"colorizer-bench-{Environment.ProcessId}-{Guid.NewGuid():N}.prototxt"));
        try
        {
            var net = CvDnn.ReadNetFromCaffe(prototxt, Path.Combine(modelsDirectory, ModelFileNames.Weights))
                ?? throw new InvalidOperationException("OpenCV could not load the network.");
            net.SetPreferableBackend(Backend.OPENCV);
            net.SetPreferableTarget(target);
            return net;
        }
        finally
        {
            File.Delete(prototxt);
        }
    }

    /// <summary>
    /// The network input for a grey 8-bit photo, as the reference recipe makes it: BGR float in [0, 1] → Lab, resized
    /// to <paramref name="size"/>² (bilinear), L − 50, CV_32FC1. The caller owns it.
    /// </summary>
    public static Mat Input(Mat grey, int size) => ReferenceRecipe.NetworkInput(grey, size);

    /// <summary>One forward pass to <c>conv8_313</c> on a prepared blob; returns the logits of all images in the batch.</summary>
    public static float[] Forward(Net net, Mat blob)
    {
        net.SetInput(blob, NetworkDescription.InputBlob);
        using var output = net.Forward(NetworkDescription.LogitsBlob);
        var logits = new float[output.Total()];
        Marshal.Copy(output.Data, logits, 0, logits.Length);
        return logits;
    }

    /// <summary>A 1×1×size×size blob of one input; the caller owns it.</summary>
    public static Mat Blob(Mat input) => CvDnn.BlobFromImage(input);

    /// <summary>An N×1×size×size blob of <paramref name="count"/> copies of one input; the caller owns it.</summary>
    public static Mat Blob(Mat input, int count) => CvDnn.BlobFromImages(Enumerable.Repeat(input, count), 1.0, new Size(), new Scalar(), false, false);
}
