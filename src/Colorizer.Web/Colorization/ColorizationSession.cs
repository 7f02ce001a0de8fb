using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Colorization;

/// <summary>One colorized upload in a session's gallery.</summary>
public sealed class GalleryItem : IDisposable
{
    internal GalleryItem(string fileName) => FileName = fileName;

    /// <summary>The name the user's file had (shown, never used as a path).</summary>
    public string FileName { get; }

    /// <summary>Waiting, running, done or failed.</summary>
    public GalleryItemStatus Status { get; internal set; } = GalleryItemStatus.Waiting;

    /// <summary>Why it failed.</summary>
    public string? Error { get; internal set; }

    /// <summary>The display-size original as a data URL.</summary>
    public string? OriginalPreview { get; internal set; }

    /// <summary>The display-size result as a data URL.</summary>
    public string? ResultPreview { get; internal set; }

    /// <summary>The full-resolution colorization, kept so downloads and re-renders need no network pass.</summary>
    internal ColorizedImage? Result { get; set; }

    /// <summary>True when the upload was already in colour.</summary>
    public bool InputHadColor => Result?.InputHadColor ?? false;

    /// <summary>Width × height of the full-resolution result.</summary>
    public string Dimensions => Result is null ? "" : $"{Result.Width}×{Result.Height}";

    /// <inheritdoc />
    public void Dispose() => Result?.Dispose();
}

/// <summary>The stages of a <see cref="GalleryItem"/>.</summary>
public enum GalleryItemStatus
{
    /// <summary>Queued.</summary>
    Waiting,

    /// <summary>The network is running.</summary>
    Running,

    /// <summary>Colorized.</summary>
    Done,

    /// <summary>Refused or failed; see <see cref="GalleryItem.Error"/>.</summary>
    Failed,
}

/// <summary>
/// The colorizations of one Blazor circuit, over the process's one engine. Scoped: disposed with the circuit, which
/// frees the native buffers of every result it holds.
/// </summary>
public sealed class ColorizationSession(ModelHost host, IOptions<UploadOptions> upload) : IDisposable
{
    private readonly List<GalleryItem> _items = [];

    /// <summary>The gallery, newest first.</summary>
    public IReadOnlyList<GalleryItem> Items => _items;

    /// <summary>The upload limits.</summary>
    public UploadOptions Limits => upload.Value;

    /// <summary>Adds a waiting item for a file about to be read.</summary>
    public GalleryItem Add(string fileName)
    {
        var item = new GalleryItem(fileName);
        _items.Insert(0, item);
        return item;
    }

    /// <summary>Decodes and colorizes <paramref name="bytes"/> into <paramref name="item"/>, recording any refusal as its error.</summary>
    public async Task ColorizeAsync(GalleryItem item, byte[] bytes, ColorizationOptions options, CancellationToken ct)
    {
        item.Status = GalleryItemStatus.Running;
        try
        {
            var engine = await host.GetEngineAsync(ct);
            var result = await engine.ColorizeAsync(bytes, options, host.Limits, ct);
            item.Result = result;
            item.OriginalPreview = await Task.Run(() => ToDataUrl(result.Source.Pixels, upload.Value.PreviewSide), ct);
            item.ResultPreview = await Task.Run(() => RenderPreview(result, options.Temperature, options.Saturation), ct);
            item.Status = GalleryItemStatus.Done;
        }
        catch (Exception ex) when (ex is Core.ColorizerException or OperationCanceledException)
        {
            item.Status = GalleryItemStatus.Failed;
            item.Error = ex is OperationCanceledException ? "Cancelled." : ex.Message;
        }
    }

    /// <summary>The full-resolution result, encoded.</summary>
    public Task<byte[]> EncodeAsync(GalleryItem item, OutputFormat format) =>
        Task.Run(() => item.Result!.Encode(format));

    /// <summary>Removes an item and frees its buffers.</summary>
    public void Remove(GalleryItem item)
    {
        _items.Remove(item);
        item.Dispose();
    }

    private string RenderPreview(ColorizedImage result, double temperature, double saturation)
    {
        using var preview = result.RenderPreview(upload.Value.PreviewSide, temperature, saturation);
        return ToDataUrl(preview, int.MaxValue);
    }

    private static string ToDataUrl(OpenCvSharp.Mat image, int maxSide)
    {
        using var small = new OpenCvSharp.Mat();
        double scale = Math.Min(1.0, (double)maxSide / Math.Max(image.Cols, image.Rows));
        if (scale < 1)
            OpenCvSharp.Cv2.Resize(image, small, new OpenCvSharp.Size(Math.Max(1, (int)(image.Cols * scale)), Math.Max(1, (int)(image.Rows * scale))), 0, 0, OpenCvSharp.InterpolationFlags.Area);
        else
            image.CopyTo(small);
        byte[] jpeg = ImageEncoder.Encode(small, small.Channels() == 4 ? OutputFormat.WebP : OutputFormat.Jpeg, new EncoderOptions { JpegQuality = 88, WebPQuality = 88 });
        string type = small.Channels() == 4 ? "image/webp" : "image/jpeg";
        return $"data:{type};base64,{Convert.ToBase64String(jpeg)}";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var item in _items)
            item.Dispose();
        _items.Clear();
    }
}
