using System.IO.Compression;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace Colorizer.Web.Colorization;

/// <summary>
/// The gallery of one Blazor circuit over the process's one engine. Scoped, so it is disposed with the circuit, which
/// cancels its work and frees the native buffers of every result it holds.
/// </summary>
public sealed class ColorizationSession(ColorizationService colorizer, IOptions<UploadOptions> upload, IHostApplicationLifetime lifetime)
    : IDisposable
{
    private readonly List<GalleryItem> _items = [];

    // Closed with the circuit, or when the app stops: a graceful stop cancels the page's work in flight.
    private readonly CancellationTokenSource _closed = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);

    /// <summary>Raised when any item changes (from any thread); the page re-renders.</summary>
    public event Action? Changed;

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

    /// <summary>Marks an item as refused before any work (e.g. too large to upload).</summary>
    public void Refuse(GalleryItem item, string reason)
    {
        item.Status = GalleryItemStatus.Failed;
        item.Error = reason;
        Changed?.Invoke();
    }

    /// <summary>Decodes and colorizes <paramref name="bytes"/> into <paramref name="item"/>, recording any refusal as its error.</summary>
    public async Task ColorizeAsync(GalleryItem item, byte[] bytes)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _closed.Token);
        try
        {
            var result = await colorizer.ColorizeAsync(bytes, item.Options, position =>
            {
                item.QueuePosition = position;
                item.Status = position == 0 ? GalleryItemStatus.Running : GalleryItemStatus.Waiting;
                Changed?.Invoke();
            }, linked.Token);
            item.Result = result;
            item.InputHadColor = result.InputHadColor;
            item.Width = result.Width;
            item.Height = result.Height;
            int side = upload.Value.PreviewSide;
            item.OriginalPreview = await Task.Run(() =>
            {
                using var original = result.SourcePreview(side);
                return ToDataUrl(original);
            }, linked.Token);
            item.ResultPreview = await Task.Run(() => RenderPreview(result, item.Options), linked.Token);
            item.Status = GalleryItemStatus.Done;
        }
        catch (OperationCanceledException)
        {
            item.Status = GalleryItemStatus.Cancelled;
            item.Error = "Cancelled.";
        }
        catch (ColorizerException ex)
        {
            item.Status = GalleryItemStatus.Failed;
            item.Error = ex.Message;
        }
        Changed?.Invoke();
    }

    /// <summary>
    /// Shows the result with another temperature and saturation: re-decodes the kept network output at preview size,
    /// without a network pass. Returns false if the item has no result.
    /// </summary>
    public async Task<bool> RestyleAsync(GalleryItem item, double temperature, double saturation)
    {
        if (item.Result is not { } result)
            return false;
        var options = item.Options with { Temperature = temperature, Saturation = saturation };
        options.Validate();
        item.Options = options;
        string preview = await Task.Run(() => RenderPreview(result, options));
        // A later call may have changed the options meanwhile: only the newest settings are shown.
        if (item.Options == options)
        {
            item.ResultPreview = preview;
            Changed?.Invoke();
        }
        return true;
    }

    /// <summary>Runs the network again at another render size (detail), through the work queue.</summary>
    public async Task ChangeDetailAsync(GalleryItem item, int renderSize)
    {
        if (item.Result is not { } result || item.Options.RenderSize == renderSize)
            return;
        var options = item.Options with { RenderSize = renderSize };
        options.Validate();
        item.ResetWork();
        item.Recomputing = true;
        Changed?.Invoke();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _closed.Token);
        try
        {
            await colorizer.RecolorizeAsync(result, options, position =>
            {
                item.QueuePosition = position;
                Changed?.Invoke();
            }, linked.Token);
            item.Options = options;
            item.ResultPreview = await Task.Run(() => RenderPreview(result, options), linked.Token);
        }
        catch (OperationCanceledException)
        {
            // The earlier prediction stays; nothing changed.
        }
        catch (ColorizerException ex)
        {
            item.Error = ex.Message;
        }
        finally
        {
            item.Recomputing = false;
            item.QueuePosition = 0;
            Changed?.Invoke();
        }
    }

    /// <summary>Cancels an item's waiting or running work.</summary>
    public void Cancel(GalleryItem item) => item.Cancel();

    /// <summary>The full-resolution result with the item's settings, encoded.</summary>
    public Task<byte[]> EncodeAsync(GalleryItem item, OutputFormat format)
    {
        var result = item.Result ?? throw new InvalidOperationException("The image is not colorized yet.");
        var options = item.Options;
        return Task.Run(() => result.Encode(format, options.Temperature, options.Saturation));
    }

    /// <summary>The file name a download of <paramref name="item"/> gets: the upload's stem, made safe, plus "-colorized".</summary>
    public static string DownloadName(GalleryItem item, OutputFormat format)
    {
        string stem = Path.GetFileNameWithoutExtension(item.FileName);
        var safe = new string(stem.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or ' ' or '.' ? c : '_').ToArray()).Trim();
        if (safe.Length == 0)
            safe = "image";
        return safe[..Math.Min(safe.Length, 100)] + "-colorized" + ImageEncoder.Extension(format);
    }

    /// <summary>
    /// Writes every finished result at full resolution, in <paramref name="format"/>, into one ZIP on
    /// <paramref name="destination"/>, with unique names.
    /// </summary>
    public async Task WriteZipAsync(Stream destination, OutputFormat format, CancellationToken ct = default)
    {
        var done = _items.Where(i => i.Status == GalleryItemStatus.Done && i.Result is not null).Reverse().ToList();
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in done)
        {
            ct.ThrowIfCancellationRequested();
            string name = DownloadName(item, format);
            for (int n = 2; !used.Add(name); n++)
                name = Path.GetFileNameWithoutExtension(DownloadName(item, format)) + $" ({n})" + ImageEncoder.Extension(format);
            byte[] bytes = await EncodeAsync(item, format);
            // Already-compressed formats gain nothing from deflate.
            var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            await using var stream = entry.Open();
            await stream.WriteAsync(bytes, ct);
        }
    }

    /// <summary>Removes an item, cancelling its work and freeing its buffers.</summary>
    public void Remove(GalleryItem item)
    {
        _items.Remove(item);
        item.Dispose();
        Changed?.Invoke();
    }

    private string RenderPreview(ColorizedImage result, ColorizationOptions options)
    {
        using var preview = result.RenderPreview(upload.Value.PreviewSide, options.Temperature, options.Saturation);
        return ToDataUrl(preview);
    }

    private static string ToDataUrl(Mat image)
    {
        // JPEG keeps previews small on the circuit; WebP where there is alpha to show.
        bool alpha = image.Channels() == 4;
        var format = alpha ? OutputFormat.WebP : OutputFormat.Jpeg;
        byte[] bytes = ImageEncoder.Encode(image, format, new EncoderOptions { JpegQuality = 88, WebPQuality = 88 });
        return $"data:{ImageEncoder.ContentType(format)};base64,{Convert.ToBase64String(bytes)}";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _closed.Cancel();
        foreach (var item in _items)
            item.Dispose();
        _items.Clear();
        _closed.Dispose();
    }
}
