using Colorizer.Core.Imaging;
using OpenCvSharp;

namespace Colorizer.Core.Colorization;

/// <summary>
/// An image's network input (its lightness at the render size), prepared without the network: a host can make it while
/// the model loads or while another image's forward pass runs. Owns a native buffer: dispose it.
/// </summary>
public sealed class NetworkInput : IDisposable
{
    private NetworkInput(Mat lightness, int renderSize)
    {
        Lightness = lightness;
        RenderSize = renderSize;
    }

    /// <summary>The side of the network input.</summary>
    public int RenderSize { get; }

    internal Mat Lightness { get; }

    /// <summary>Prepares <paramref name="image"/>'s input at <paramref name="renderSize"/> (validated). Needs no model.</summary>
    public static NetworkInput Prepare(DecodedImage image, int renderSize)
    {
        new ColorizationOptions { RenderSize = renderSize }.Validate();
        return new NetworkInput(LabPipeline.NetworkInput(image, renderSize), renderSize);
    }

    /// <inheritdoc />
    public void Dispose() => Lightness.Dispose();
}
