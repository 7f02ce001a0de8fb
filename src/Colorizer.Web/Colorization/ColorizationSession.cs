using System.IO.Compression;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models.Catalogue;
using Microsoft.Extensions.Options;
using OpenCvSharp;

namespace Colorizer.Web.Colorization;

/// <summary>
/// One Blazor circuit's view of its tab's <see cref="Gallery"/>, over the process's one engine. Scoped: when the circuit
/// ends, a gallery the tab has named (<see cref="Attach"/>) stays in the <see cref="GalleryStore"/> for a reload to find;
/// an unnamed one is disposed at once, cancelling its work and freeing its native buffers.
/// </summary>
public sealed class ColorizationSession : IDisposable
{
    private readonly ColorizationService _colorizer;
    private readonly IOptions<UploadOptions> _upload;
    private readonly GalleryStore _store;
    private Gallery _gallery = new(null);
    private readonly int _maxItems;

    // Cancelled when the app stops (a graceful stop cancels the page's work in flight), or when an unnamed gallery's
    // circuit closes. A named gallery's work runs on through a reload.
    private readonly CancellationTokenSource _closed;

    /// <summary>Creates the session of one circuit.</summary>
    public ColorizationSession(ColorizationService colorizer, IOptions<UploadOptions> upload, IHostApplicationLifetime lifetime, GalleryStore store)
    {
        _maxItems = store.MaxItems;
        _colorizer = colorizer;
        _upload = upload;
        _store = store;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        _gallery.Changed += OnGalleryChanged;
    }

    /// <summary>Raised when any item changes (from any thread); the page re-renders.</summary>
    public event Action? Changed;

    /// <summary>The gallery, newest first.</summary>
    public IReadOnlyList<GalleryItem> Items => _gallery.Items;

    /// <summary>The id of the tab's gallery once attached, else null.</summary>
    public string? GalleryId => _gallery.Id;

    /// <summary>
    /// Shows the tab's gallery <paramref name="galleryId"/> (kept from before a reload, or new), with anything added
    /// before this call moved into it. Returns false, keeping the unnamed gallery, for an id that is not valid.
    /// </summary>
    public bool Attach(string? galleryId)
    {
        if (_gallery.Id is not null || !GalleryStore.IsValidId(galleryId))
            return false;
        var kept = _store.Attach(galleryId!);
        var early = _gallery;
        early.Changed -= OnGalleryChanged;
        kept.AddFirst(early.TakeAll());
        _gallery = kept;
        _gallery.Changed += OnGalleryChanged;
        Changed?.Invoke();
        return true;
    }

    private void OnGalleryChanged() => Changed?.Invoke();

    private void NotifyChanged() => _gallery.NotifyChanged();

    /// <summary>The upload limits.</summary>
    public UploadOptions Limits => _upload.Value;

    /// <summary>The model new uploads are colorized with; the 2016 network until the user picks another.</summary>
    public ColorModel DefaultModel { get; private set; } = ModelCatalogue.Eccv16;

    /// <summary>Every model with its state, for the pickers.</summary>
    public ModelLibrary Library => _colorizer.Library;

    /// <summary>Sets the model for new uploads (the cards already there keep theirs).</summary>
    public void SetDefaultModel(ColorModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        DefaultModel = model;
        Changed?.Invoke();
    }

    // A model's defaults (its id and input size), keeping the user's vividness and saturation when there are some.
    private static ColorizationOptions OptionsFor(ColorModel model, ColorizationOptions? current = null)
    {
        var options = model.HasDistribution ? ColorizationOptions.Default : ColorizationOptions.For(model);
        return current is null ? options : options with { Saturation = current.Saturation, Temperature = current.Temperature };
    }

    /// <summary>Adds a waiting item for a file about to be read.</summary>
    public GalleryItem Add(string fileName)
    {
        var item = new GalleryItem(fileName) { Options = OptionsFor(DefaultModel) };
        // Each image keeps its full-resolution pixels on the server: a gallery is bounded.
        if (_gallery.Items.Count >= _maxItems)
        {
            item.Status = GalleryItemStatus.Failed;
            item.Error = $"The gallery already holds {_maxItems} images; remove some before adding more.";
        }
        _gallery.AddFirst(item);
        return item;
    }

    /// <summary>Marks an item as refused before any work (e.g. too large to upload).</summary>
    public void Refuse(GalleryItem item, string reason)
    {
        item.Status = GalleryItemStatus.Failed;
        item.Error = reason;
        NotifyChanged();
    }

    /// <summary>Decodes and colorizes <paramref name="bytes"/> into <paramref name="item"/>, recording any refusal as its error.</summary>
    public async Task ColorizeAsync(GalleryItem item, byte[] bytes)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _closed.Token);
        try
        {
            // A model not downloaded yet is waited for (its picker shows how far the download is), not refused.
            await WaitForModelFileAsync(item, item.Options, linked.Token);
            var result = await _colorizer.ColorizeAsync(bytes, item.Options, position =>
            {
                item.QueuePosition = position;
                item.Status = position == 0 ? GalleryItemStatus.Running : GalleryItemStatus.Waiting;
                NotifyChanged();
            }, linked.Token);
            if (!item.TrySetResult(result))
            {
                // The card was removed while the network ran.
                result.Dispose();
                throw new OperationCanceledException();
            }
            item.InputHadColor = result.InputHadColor;
            item.Width = result.Width;
            item.Height = result.Height;
            int side = _upload.Value.PreviewSide;
            using (var lease = item.LeaseResult() ?? throw new OperationCanceledException())
            {
                item.OriginalPreview = await Task.Run(() =>
                {
                    using var original = lease.Image.SourcePreview(side);
                    return ToDataUrl(original);
                }, linked.Token);
                item.ResultPreview = await Task.Run(() => RenderPreview(lease.Image, item.Options, item.Guidance), linked.Token);
            }
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
        NotifyChanged();
    }

    /// <summary>
    /// Shows the result with another temperature and saturation: re-decodes the kept network output at preview size,
    /// without a network pass. Returns false if the item has no result.
    /// </summary>
    public async Task<bool> RestyleAsync(GalleryItem item, double temperature, double saturation)
    {
        if (item.Result is null)
            return false;
        var options = item.Options with { Temperature = temperature, Saturation = saturation };
        options.Validate();
        item.Options = options;
        await RefreshPreviewAsync(item);
        return true;
    }

    /// <summary>Runs the network again at another render size (detail), through the work queue.</summary>
    public Task ChangeDetailAsync(GalleryItem item, int renderSize) =>
        item.Options.RenderSize == renderSize ? Task.CompletedTask : RerunAsync(item, item.Options with { RenderSize = renderSize });

    /// <summary>
    /// Colorizes the item again with <paramref name="model"/> (at its default size, keeping the saturation), through the
    /// work queue; a model not downloaded yet is downloaded first when the server allows it.
    /// </summary>
    public Task ChangeModelAsync(GalleryItem item, ColorModel model) =>
        item.Options.Model == model.Id ? Task.CompletedTask : RerunAsync(item, OptionsFor(model, item.Options), $"Colorizing again with {model.Name}…");

    private async Task WaitForModelFileAsync(GalleryItem item, ColorizationOptions options, CancellationToken ct)
    {
        var model = ModelCatalogue.Get(options.Model);
        if (!model.IsOnnxFile || Library.StateOf(model).Status == ModelFileStatus.Downloaded)
            return;
        item.Note = $"Downloading the {model.Name} model first (about 1 GB); it runs when the download ends.";
        NotifyChanged();
        try
        {
            await Library.WaitForFileAsync(model, ct);
        }
        finally
        {
            item.Note = null;
        }
    }

    private async Task RerunAsync(GalleryItem item, ColorizationOptions options, string? note = null)
    {
        // Held for the whole re-run: the network works on the result in place, so removing the card must not free it meanwhile.
        using var held = item.LeaseResult();
        if (held is null)
            return;
        var result = held.Image;
        options.Validate();
        item.ResetWork();
        item.Error = null;
        item.Recomputing = true;
        NotifyChanged();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _closed.Token);
        try
        {
            await WaitForModelFileAsync(item, options, linked.Token);
            item.Note = note;
            await _colorizer.RecolorizeAsync(result, options, position =>
            {
                item.QueuePosition = position;
                NotifyChanged();
            }, linked.Token);
            item.Options = options;
            using var lease = item.LeaseResult() ?? throw new OperationCanceledException();
            item.ResultPreview = await Task.Run(() => RenderPreview(lease.Image, options, item.Guidance), linked.Token);
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
            item.Note = null;
            item.QueuePosition = 0;
            NotifyChanged();
        }
    }

    /// <summary>The colours the network found likely at full-resolution pixel (<paramref name="x"/>, <paramref name="y"/>), for a hint palette.</summary>
    public IReadOnlyList<LikelyColor> LikelyColors(GalleryItem item, double x, double y, int count = 6)
    {
        using var lease = item.LeaseResult();
        return lease?.Image.LikelyColors(x, y, count) ?? [];
    }

    /// <summary>
    /// Replaces the item's hints as one undoable edit and updates its preview. Throws <see cref="Core.InvalidHintsException"/>
    /// (nothing changed) when a hint lies outside the image or is out of range.
    /// </summary>
    public Task SetHintsAsync(GalleryItem item, IReadOnlyList<ColorHint> hints)
    {
        new ColorGuidance { Hints = hints }.Validate(item.Width, item.Height);
        item.Hints.Apply(hints);
        return RefreshPreviewAsync(item);
    }

    /// <summary>Undoes the last hint edit; false when there was none.</summary>
    public async Task<bool> UndoHintAsync(GalleryItem item)
    {
        if (!item.Hints.Undo())
            return false;
        await RefreshPreviewAsync(item);
        return true;
    }

    /// <summary>Redoes the last undone hint edit; false when there was none.</summary>
    public async Task<bool> RedoHintAsync(GalleryItem item)
    {
        if (!item.Hints.Redo())
            return false;
        await RefreshPreviewAsync(item);
        return true;
    }

    /// <summary>The item's hints as JSON (the API's and the CLI's format).</summary>
    public static string ExportHints(GalleryItem item) => HintsJson.Serialize(item.Hints.Current);

    /// <summary>Replaces the hints with those of a JSON document, as one undoable edit. Throws <see cref="Core.InvalidHintsException"/>.</summary>
    public Task ImportHintsAsync(GalleryItem item, string json) => SetHintsAsync(item, HintsJson.Parse(json));

    /// <summary>
    /// Takes a colour photo's palette as the item's reference and shows the reference variant. Throws the Core
    /// exception family for a photo that cannot be decoded or has no colour; the item is then unchanged.
    /// </summary>
    public async Task SetReferenceAsync(GalleryItem item, string fileName, byte[] bytes)
    {
        var limits = _colorizer.Models.Limits;
        // Decoded on its turn in the shared queue, like a photo.
        var (palette, preview) = await _colorizer.RunQueuedAsync(() =>
        {
            using var photo = ImageDecoder.Decode(bytes, limits);
            var palette = ReferencePalette.FromImage(photo);
            using var small = new Mat();
            double scale = Math.Min(1.0, 160.0 / Math.Max(photo.Width, photo.Height));
            Cv2.Resize(photo.Pixels, small, new Size(Math.Max(1, (int)(photo.Width * scale)), Math.Max(1, (int)(photo.Height * scale))), 0, 0, InterpolationFlags.Area);
            return (palette, ToDataUrl(small));
        }, _closed.Token);
        item.Reference = palette;
        item.ReferenceName = fileName;
        item.ReferencePreview = preview;
        item.Variant = ColorVariant.Reference;
        await RefreshPreviewAsync(item);
    }

    /// <summary>Shows (and downloads) the automatic or the reference variant.</summary>
    public Task SetVariantAsync(GalleryItem item, ColorVariant variant)
    {
        if (variant == ColorVariant.Reference && item.Reference is null)
            return Task.CompletedTask;
        item.Variant = variant;
        return RefreshPreviewAsync(item);
    }

    /// <summary>Applies the reference globally or per luminance band.</summary>
    public Task SetTransferModeAsync(GalleryItem item, ReferenceTransferMode mode)
    {
        item.TransferMode = mode;
        return RefreshPreviewAsync(item);
    }

    /// <summary>Renders the preview with the item's current settings and guidance; a newer change wins over an older one.</summary>
    public async Task RefreshPreviewAsync(GalleryItem item)
    {
        using var lease = item.LeaseResult();
        if (lease is null)
            return;
        var options = item.Options;
        var guidance = item.Guidance;
        NotifyChanged();
        string preview;
        try
        {
            preview = await Task.Run(() => RenderPreview(lease.Image, options, guidance));
        }
        catch (InvalidHintsException ex)
        {
            // Checked before they were kept, so only a race can get here; the page keeps its last preview.
            item.Error = ex.Message;
            NotifyChanged();
            return;
        }
        if (item.Options == options && item.Guidance == guidance)
        {
            item.ResultPreview = preview;
            NotifyChanged();
        }
    }

    /// <summary>Cancels an item's waiting or running work.</summary>
    public void Cancel(GalleryItem item) => item.Cancel();

    /// <summary>The full-resolution result with the item's settings, encoded.</summary>
    public async Task<byte[]> EncodeAsync(GalleryItem item, OutputFormat format)
    {
        using var lease = item.LeaseResult() ?? throw new InvalidOperationException("The image is not colorized yet, or was removed.");
        var options = item.Options;
        var guidance = item.Guidance;
        return await Task.Run(() => lease.Image.Encode(format, options.Temperature, options.Saturation, guidance: guidance));
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
        var done = Items.Where(i => i.Status == GalleryItemStatus.Done && i.Result is not null).Reverse().ToList();
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
        _gallery.Remove(item);
        item.Dispose();
        NotifyChanged();
    }

    private string RenderPreview(ColorizedImage result, ColorizationOptions options, ColorGuidance guidance)
    {
        using var preview = result.RenderPreview(_upload.Value.PreviewSide, options.Temperature, options.Saturation, guidance);
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
        _gallery.Changed -= OnGalleryChanged;
        if (_gallery.Id is null)
        {
            _closed.Cancel();
            _gallery.Dispose();
        }
        else
        {
            _store.Detach(_gallery);
        }
        _closed.Dispose();
    }
}
