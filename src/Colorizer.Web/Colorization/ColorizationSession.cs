using System.IO.Compression;
using Colorizer.Core;
using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Core.Restoration;
using Microsoft.AspNetCore.Components.Forms;
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
    private readonly ILogger<ColorizationSession> _logger;
    private readonly Diagnostics.ServerMetrics? _metrics;
    private Gallery _gallery;
    private readonly int _maxItems;

    // The app is stopping: a graceful stop cancels the page's work in flight. An unnamed gallery's work ends when its
    // circuit closes (the gallery is disposed, which cancels each item); a named gallery's work runs on through a reload.
    private readonly CancellationToken _stopping;

    // Cancelled when this circuit ends: the browser that was sending its uploads is gone. Never disposed, so the upload
    // loop may still read its token after the circuit's scope is disposed; it has no timer or native handle.
    private readonly CancellationTokenSource _circuitGone = new();
    private readonly List<GalleryItem> _uploads = [];

    /// <summary>Creates the session of one circuit.</summary>
    public ColorizationSession(ColorizationService colorizer, IOptions<UploadOptions> upload, IHostApplicationLifetime lifetime, GalleryStore store,
        ILogger<ColorizationSession> logger, Diagnostics.ServerMetrics? metrics = null)
    {
        _metrics = metrics;
        _maxItems = store.MaxItems;
        _colorizer = colorizer;
        _upload = upload;
        _store = store;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
        _gallery = new Gallery(null, colorizer.Concurrency);
        _gallery.Changed += OnGalleryChanged;
        // Its previews are served by URL too, before the page has named its gallery.
        store.ShowUnnamed(_gallery);
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
        kept.Line.Places = _colorizer.Concurrency;
        // A tab shows one page: uploads still "in progress" in a gallery being attached were sent by the page this one
        // replaces (a reload), and their bytes will never arrive.
        if (kept.InterruptUploads())
            _logger.LogInformation("A reloaded page found uploads of its previous page unfinished; they are marked interrupted");
        var early = _gallery;
        _store.ForgetUnnamed(early);
        early.Changed -= OnGalleryChanged;
        // Work that started before the page named its gallery reports through the line it joined.
        early.Changed += kept.NotifyChanged;
        var adopted = early.TakeAll();
        kept.AddFirst(adopted);
        _gallery = kept;
        _gallery.Changed += OnGalleryChanged;
        // Photos colorized before the page named its gallery are written now that it has a name.
        foreach (var item in adopted.Where(i => i.Status == GalleryItemStatus.Done && i.UnsavedUpload is not null))
            _ = PersistAsync(item, predictionChanged: true);
        Changed?.Invoke();
        return true;
    }

    private void OnGalleryChanged() => Changed?.Invoke();

    // The page's share of the shared queue is per tab (its gallery), as an API caller's is per address.
    private string QueueClient => "page:" + (_gallery.Id ?? _unnamedClient);

    private readonly string _unnamedClient = Guid.NewGuid().ToString("N");

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
        // The repairs stay too: the result's photo is the repaired one whichever model colours it.
        return current is null ? options
            : options with { Saturation = current.Saturation, Temperature = current.Temperature, Restoration = current.Restoration };
    }

    /// <summary>Adds a waiting item for a file about to be read.</summary>
    public GalleryItem Add(string fileName) => AddBatch([(fileName, 0)])[0];

    /// <summary>
    /// Adds one uploading item per file, first in the gallery and in the order given (the order they were picked).
    /// Files beyond the gallery's limit, or larger than the upload limit, are refused on their card.
    /// </summary>
    public IReadOnlyList<GalleryItem> AddBatch(IReadOnlyList<(string FileName, long Size)> files)
    {
        int held = _gallery.Items.Count;
        long limit = Limits.MaxFileBytes;
        var items = new List<GalleryItem>(files.Count);
        foreach (var (name, size) in files)
        {
            var item = new GalleryItem(name) { Status = GalleryItemStatus.Uploading, UploadSize = size, Options = OptionsFor(DefaultModel) };
            // Each image keeps its full-resolution pixels on the server: a gallery is bounded.
            if (held + items.Count >= _maxItems)
            {
                item.Status = GalleryItemStatus.Failed;
                item.Error = $"The gallery already holds {_maxItems} images; remove some before adding more.";
            }
            else if (size > limit)
            {
                item.Status = GalleryItemStatus.Failed;
                item.Error = $"The file is {size / 1e6:0.#} MB; the limit is {limit / 1e6:0.#} MB.";
            }
            items.Add(item);
        }
        _gallery.AddFirst(items);
        _gallery.Renumber();
        NotifyChanged();
        return items;
    }

    /// <summary>
    /// Uploads <paramref name="files"/>: a card for each at once, in the order picked; then their bytes are read one
    /// after another (they share the circuit), each card showing its percentage; each photo then waits its turn in the
    /// tab's line and the shared queue and is colorized. Returns when every file has been read (or has failed to be);
    /// the colorizing goes on. An upload that stops arriving (the page reloaded or closed, the connection lost, no
    /// data for <see cref="UploadOptions.StallTimeout"/>) ends as <see cref="GalleryItem.InterruptedMessage"/>.
    /// </summary>
    public async Task UploadAsync(IReadOnlyList<IBrowserFile> files)
    {
        var items = AddBatch([.. files.Select(f => (f.Name, f.Size))]);
        lock (_uploads)
            _uploads.AddRange(items);
        foreach (var (file, item) in files.Zip(items))
        {
            byte[]? bytes = item.Status == GalleryItemStatus.Uploading ? await ReadAsync(file, item) : null;
            lock (_uploads)
                _uploads.Remove(item);
            // Cancelled (or removed) just as its last bytes arrived: nothing to run. One marked interrupted in that
            // instant (a reload) has all its bytes after all, and goes on.
            if (bytes is null || item.Status == GalleryItemStatus.Cancelled || item.WorkToken.IsCancellationRequested)
                continue;
            item.PendingBytes = bytes;
            item.Error = null;
            item.Status = GalleryItemStatus.Waiting;
            _ = RunAsync(item);
        }
    }

    /// <summary>Colorizes a refused item's kept file again, through the tab's line; false when it cannot be retried.</summary>
    public bool Retry(GalleryItem item)
    {
        if (!item.CanRetry)
            return false;
        item.ResetWork();
        item.Error = null;
        item.Status = GalleryItemStatus.Waiting;
        NotifyChanged();
        _ = RunAsync(item);
        return true;
    }

    private async Task<byte[]?> ReadAsync(IBrowserFile file, GalleryItem item)
    {
        var settings = Limits;
        using var stalled = new CancellationTokenSource(settings.StallTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, item.UploadToken, _circuitGone.Token, stalled.Token);
        item.UploadStarted = true;
        _gallery.Renumber();
        NotifyChanged();
        try
        {
            // The size is known up front (and within the limit), so one exact buffer holds the file: no copy.
            var bytes = new byte[file.Size];
            await using var stream = file.OpenReadStream(settings.MaxFileBytes, linked.Token);
            int read = 0, shown = 0;
            while (read < bytes.Length)
            {
                int n = await stream.ReadAsync(bytes.AsMemory(read), linked.Token);
                if (n == 0)
                    throw new EndOfStreamException($"The browser sent {read} of {bytes.Length} bytes.");
                read += n;
                stalled.CancelAfter(settings.StallTimeout);
                item.UploadedBytes = read;
                // A render per whole percent: smooth to watch, little for the circuit.
                if (item.UploadPercent != shown)
                {
                    shown = item.UploadPercent;
                    NotifyChanged();
                }
            }
            return bytes;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the stream threw (a timeout, a closed circuit, a cancelled read), the card ends in a clear state.
            if (item.WorkToken.IsCancellationRequested)
            {
                item.MarkCancelled();
            }
            else if (item.Interrupt())
            {
                string why = stalled.IsCancellationRequested ? $"no data for {settings.StallTimeout.TotalSeconds:0} s"
                    : _circuitGone.IsCancellationRequested ? "the page closed" : ex.GetType().Name;
                _logger.LogInformation("An upload was interrupted after {Bytes} of {Size} bytes: {Reason}", item.UploadedBytes, item.UploadSize, why);
            }
            _gallery.Renumber();
            NotifyChanged();
            return null;
        }
    }

    // Waits for the item's turn in its tab, then colorizes it through the shared queue. Never throws: every outcome
    // is the card's state.
    private async Task RunAsync(GalleryItem item)
    {
        var line = _gallery.Line;
        IDisposable place;
        try
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _stopping);
            place = await line.EnterAsync(item, waiting.Token);
        }
        catch (OperationCanceledException)
        {
            if (item.Status != GalleryItemStatus.Cancelled)
                item.MarkCancelled();
            NotifyChanged();
            return;
        }
        catch (Exception ex)
        {
            // Not expected (the line only waits); the card must still end, and the place was never taken.
            _logger.LogError(ex, "A page upload could not join its tab's line");
            item.Status = GalleryItemStatus.Failed;
            item.Error = "The colorization failed.";
            item.PendingBytes = null;
            NotifyChanged();
            return;
        }
        item.TabPosition = 0;
        using (place)
        {
            if (item.PendingBytes is not { } bytes || item.Status != GalleryItemStatus.Waiting)
                return;
            try
            {
                await ColorizeAsync(item, bytes, fromTab: true);
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Colorizing a page upload failed");
                item.Status = GalleryItemStatus.Failed;
                item.Error = "The colorization failed.";
                item.PendingBytes = null;
                NotifyChanged();
            }
        }
    }

    /// <summary>Marks an item as refused before any work (e.g. too large to upload).</summary>
    public void Refuse(GalleryItem item, string reason)
    {
        item.Status = GalleryItemStatus.Failed;
        item.Error = reason;
        NotifyChanged();
    }

    /// <summary>Decodes and colorizes <paramref name="bytes"/> into <paramref name="item"/>, recording any refusal as its error.</summary>
    public Task ColorizeAsync(GalleryItem item, byte[] bytes) => ColorizeAsync(item, bytes, fromTab: false);

    private async Task ColorizeAsync(GalleryItem item, byte[] bytes, bool fromTab)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _stopping);
        item.SourceFormat = ImageFormatDetector.Detect(bytes);
        // Bytes in hand: whoever brought them (the upload loop, or a caller that had the file already), it now waits.
        if (item.Status == GalleryItemStatus.Uploading)
            item.Status = GalleryItemStatus.Waiting;
        try
        {
            // A model not downloaded yet is waited for (its picker shows how far the download is), not refused.
            await WaitForModelFileAsync(item, item.Options, linked.Token);
            var result = await _colorizer.ColorizeAsync(bytes, item.Options, position =>
            {
                // The queue reports from whichever thread let someone go, possibly just after this job was cancelled:
                // a late report must not bring a cancelled card back to life.
                if (linked.IsCancellationRequested || item.Status is not (GalleryItemStatus.Waiting or GalleryItemStatus.Running))
                    return;
                item.QueuePosition = position;
                item.Status = position == 0 ? GalleryItemStatus.Running : GalleryItemStatus.Waiting;
                NotifyChanged();
            }, waitForRoom: fromTab, client: QueueClient, ct: linked.Token);
            item.PendingBytes = null;
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
                    return ToPreview(original);
                }, linked.Token);
                item.ResultPreview = await Task.Run(() => RenderPreview(lease.Image, item.Options, item.Guidance), linked.Token);
            }
            item.Status = GalleryItemStatus.Done;
            item.UnsavedUpload = bytes;
            NotifyChanged();
            await PersistAsync(item, predictionChanged: true);
        }
        catch (OperationCanceledException)
        {
            item.MarkCancelled();
        }
        catch (ColorizerException ex)
        {
            item.Status = GalleryItemStatus.Failed;
            item.Error = ex.Message;
            item.QueuePosition = 0;
            // A full server or a missed deadline passes; a file that cannot be colorized does not.
            bool retryable = ex is WorkQueueFullException or DeadlineExceededException or ModelNotReadyException;
            item.PendingBytes = retryable ? bytes : null;
            // Logged once, as the API's refusals are: an operator sees a busy or failing server here, not only the user.
            _logger.LogInformation("A page photo was refused ({Kind}) in tab {Gallery}: {Reason}", ex.GetType().Name, _gallery.Id ?? "(unnamed)", ex.Message);
            _metrics?.Refused("page", ex.GetType().Name);
        }
        NotifyChanged();
    }

    /// <summary>
    /// Shows the result with another temperature and saturation: re-decodes the kept network output at preview size,
    /// without a network pass. Returns false if the item has no result.
    /// </summary>
    public async Task<bool> RestyleAsync(GalleryItem item, double temperature, double saturation)
    {
        if (!item.HasResult)
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

    /// <summary>The most other models a card keeps results of for comparing (each a prediction of a few megabytes).</summary>
    public const int MaxComparisons = 3;

    /// <summary>
    /// Shows <paramref name="modelId"/>'s result on the compare's "before" side (null: the original), running that model
    /// on the photo first, through the work queue, when the card has no result of it yet (the oldest of
    /// <see cref="MaxComparisons"/> goes). The card's own result, and what it downloads, stay as they are.
    /// </summary>
    public async Task CompareWithAsync(GalleryItem item, string? modelId)
    {
        if (modelId is null || modelId == item.Options.Model)
        {
            item.CompareWith = null;
            NotifyChanged();
            return;
        }
        var model = ModelCatalogue.Get(modelId);
        if (item.Comparisons.Any(c => c.Model.Id == model.Id))
        {
            item.CompareWith = model.Id;
            await RefreshComparisonAsync(item);
            return;
        }
        await RecomputeAsync(item, OptionsFor(model, item.Options), $"Colorizing with {model.Name} to compare…", async (image, options, reports, ct) =>
        {
            var (prediction, bins) = await _colorizer.PredictAsync(image, options, reports.QueuePosition, QueueClient, reports.WaitingForMemory, ct);
            if (item.Comparisons.Count >= MaxComparisons)
                item.Comparisons.RemoveAt(0);
            item.Comparisons.Add(new ModelComparison(model, prediction, bins));
            item.CompareWith = model.Id;
        });
        await RefreshComparisonAsync(item);
    }

    // The "before" side's preview with the card's current settings and guidance (hints, reference) on the other model's colours.
    private async Task RefreshComparisonAsync(GalleryItem item)
    {
        if (item.ShownComparison is not { } shown)
            return;
        using var lease = item.LeaseResult();
        if (lease is null)
            return;
        var options = item.Options;
        var guidance = item.Guidance;
        var image = lease.Image;
        try
        {
            shown.Preview = await RenderChargedAsync(image, () =>
            {
                using var preview = image.RenderPreview(shown.Prediction, shown.Bins, _upload.Value.PreviewSide, options.Temperature, options.Saturation, guidance);
                return ToPreview(preview);
            }, _stopping);
        }
        catch (DeadlineExceededException ex)
        {
            // The memory for images in flight stayed full: the compared side keeps its last preview, and the card says why.
            item.Error = item.PreviewError = ex.Message;
        }
        NotifyChanged();
    }

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

    private Task RerunAsync(GalleryItem item, ColorizationOptions options, string? note = null) =>
        RecomputeAsync(item, options, note, async (image, chosen, reports, ct) =>
        {
            await _colorizer.RecolorizeAsync(image, chosen, reports.QueuePosition, QueueClient, reports.WaitingForMemory, ct);
            item.Options = chosen;
            // Written at once, with the network's new output: the record on disk never names the old one for these options.
            await PersistAsync(item, predictionChanged: true);
            using (var lease = item.LeaseResult() ?? throw new OperationCanceledException())
                item.ResultPreview = await RenderChargedAsync(lease.Image, () => RenderPreview(lease.Image, chosen, item.Guidance), ct, withinDeadline: false);
            ScheduleUpdate(item);
        });

    /// <summary>What a card says while its work waits for room in the memory for images in flight (<see cref="MemoryBudget"/>).</summary>
    public const string WaitingForMemoryNote = "Waiting for room in the server's memory for images in flight…";

    // Where work on a card reports: its place in the queue, and that it waits for room in the memory budget.
    private readonly record struct WorkReports(Action<int> QueuePosition, Action WaitingForMemory);

    // Reports that show on the card: while waiting for room the card says so, then the step's own note again.
    private WorkReports ReportsFor(GalleryItem item, Func<string?> note) => new(
        position =>
        {
            item.Note = note();
            item.QueuePosition = position;
            NotifyChanged();
        },
        () =>
        {
            item.Note = WaitingForMemoryNote;
            NotifyChanged();
        });

    // Network work on a card that has a result (more detail, another model, a model to compare with), through the queue:
    // the model's file first (downloaded when allowed), the card saying what it waits for; a refusal is said on the card,
    // which keeps what it showed.
    private async Task RecomputeAsync(GalleryItem item, ColorizationOptions options, string? note,
        Func<ColorizedImage, ColorizationOptions, WorkReports, CancellationToken, Task> work)
    {
        options.Validate();
        // Busy before the photo is read back (if the memory budget dropped it), so the budget leaves it alone meanwhile.
        item.ResetWork();
        item.Error = null;
        item.Recomputing = true;
        NotifyChanged();
        // Held for the whole run: the network may work on the result in place, so removing the card must not free it meanwhile.
        using var held = await LeaseLoadedAsync(item);
        if (held is null)
        {
            item.Recomputing = false;
            NotifyChanged();
            return;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _stopping);
        try
        {
            await WaitForModelFileAsync(item, options, linked.Token);
            item.Note = note;
            NotifyChanged();
            await work(held.Image, options, ReportsFor(item, () => note), linked.Token);
        }
        catch (OperationCanceledException)
        {
            // What the card showed stays; nothing changed.
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

    /// <summary>
    /// Asks for the repairs <paramref name="wanted"/> on a colorized card and works toward them: the kept original is
    /// repaired on its turn in the queue (the card shows the repaired photo as soon as it is ready), then the network
    /// colours the repaired photo, and the result, its downloads and its compare view follow. Toggles flipped while
    /// that runs are gathered: when it ends, the latest wish is worked on next. No repair at all shows the photo as it
    /// was uploaded again. A refusal (a full server, a missed deadline) or a cancel leaves the card as it was.
    /// </summary>
    public async Task SetRestorationAsync(GalleryItem item, RestorationOptions wanted)
    {
        wanted.Validate();
        item.WantedRestoration = wanted;
        NotifyChanged();
        // One run at a time per card: a running one picks the new wish up when it ends. Another re-run (more detail,
        // another model) keeps the toggles disabled, so nothing is asked for meanwhile.
        if (item.Repairing || item.Recomputing || !item.HasResult)
            return;
        item.Repairing = true;
        try
        {
            while (!SameEffect(item.Options.Restoration, item.WantedRestoration))
            {
                if (!await RepairAsync(item, item.WantedRestoration))
                {
                    item.WantedRestoration = item.Options.Restoration;
                    break;
                }
            }
            // Only a strength that no chosen step uses changed: nothing to redo, but the card says what it was asked.
            item.Options = item.Options with { Restoration = item.WantedRestoration };
        }
        finally
        {
            item.Repairing = false;
            NotifyChanged();
        }
    }

    // Two sets of repairs make the same photo when they have the same steps and, if a step reads it, the same strength.
    internal static bool SameEffect(RestorationOptions a, RestorationOptions b) =>
        a.Steps == b.Steps && (!UsesStrength(a.Steps) || a.Strength == b.Strength);

    private static bool UsesStrength(RestorationSteps steps) => (steps & (RestorationSteps.Noise | RestorationSteps.Contrast)) != 0;

    // One change of repairs: repair the original (or take it as it is), colour it, and swap the card's result.
    private async Task<bool> RepairAsync(GalleryItem item, RestorationOptions target)
    {
        item.ResetWork();
        item.Error = null;
        item.Recomputing = true;
        using var held = await LeaseLoadedAsync(item);
        if (held is null)
        {
            item.Recomputing = false;
            return false;
        }
        var shownRepaired = item.RepairedPreview;
        var options = item.Options with { Restoration = target };
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(item.WorkToken, _stopping);
        DecodedImage? photo = null;
        string? step = null;
        var reports = ReportsFor(item, () => step);
        try
        {
            var original = held.Original;
            if (target.IsEmpty)
            {
                photo = await Task.Run(original.Clone, linked.Token);
            }
            else
            {
                item.Note = step = "Repairing the photo…";
                NotifyChanged();
                photo = await _colorizer.RestoreAsync(original, target, reports.QueuePosition, QueueClient, reports.WaitingForMemory, linked.Token);
                var repaired = photo;
                // Shown at once, before the network has coloured it: the repair is what the user is judging.
                item.RepairedPreview = await RenderChargedAsync(repaired.Width, repaired.Height, () => DisplayPreview(repaired), linked.Token);
            }
            item.QueuePosition = 0;
            item.Note = step = target.IsEmpty ? "Colorizing the photo as uploaded…" : "Colorizing the repaired photo…";
            NotifyChanged();
            var colorize = photo;
            photo = null;
            var result = await _colorizer.ColorizeAsync(colorize, options, reports.QueuePosition, QueueClient, reports.WaitingForMemory, linked.Token);
            // The first repair: the result's own source was the original, and it goes with the old result; keep a copy.
            var keep = !target.IsEmpty && !held.OriginalKeptApart ? original.Clone() : null;
            if (!item.TryReplace(result, keep, dropOriginal: target.IsEmpty))
            {
                result.Dispose();
                keep?.Dispose();
                return false;
            }
            item.Options = options;
            if (target.IsEmpty)
                item.RepairedPreview = null;
            // Other models' colours were found for the photo before this change: they no longer fit it.
            item.Comparisons.Clear();
            item.CompareWith = null;
            // Written at once: the record on disk never pairs these repairs with the earlier output.
            await PersistAsync(item, predictionChanged: true);
            using var lease = item.LeaseResult() ?? throw new OperationCanceledException();
            item.ResultPreview = await RenderChargedAsync(lease.Image, () => RenderPreview(lease.Image, options, item.Guidance), linked.Token, withinDeadline: false);
            ScheduleUpdate(item);
            _logger.LogDebug("Card {Item} repaired: {Repairs}", item.Id, target.Describe());
            return true;
        }
        catch (OperationCanceledException)
        {
            item.RepairedPreview = shownRepaired;
            return false;
        }
        catch (ColorizerException ex)
        {
            item.RepairedPreview = shownRepaired;
            item.Error = ex.Message;
            _logger.LogInformation("A repair on a page photo was refused ({Kind}) in tab {Gallery}: {Reason}", ex.GetType().Name, _gallery.Id ?? "(unnamed)", ex.Message);
            _metrics?.Refused("page", ex.GetType().Name);
            return false;
        }
        finally
        {
            photo?.Dispose();
            item.Recomputing = false;
            item.Note = null;
            item.QueuePosition = 0;
            NotifyChanged();
        }
    }

    private PreviewImage DisplayPreview(DecodedImage image)
    {
        using var shrunk = image.Shrunk(_upload.Value.PreviewSide);
        using var display = shrunk.ToDisplayMat();
        return ToPreview(display);
    }

    /// <summary>The colours the network found likely at full-resolution pixel (<paramref name="x"/>, <paramref name="y"/>), for a hint palette.</summary>
    public IReadOnlyList<LikelyColor> LikelyColors(GalleryItem item, double x, double y, int count = 6)
    {
        using var lease = item.LeaseResult();
        if (lease is null && item.HasResult)
        {
            // Dropped from memory for the budget: read back for the next click, and say so now.
            _ = LoadInBackgroundAsync(item);
            return [];
        }
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
        // Decoded on its turn in the shared queue, like a photo, charged its decoded working set while it is.
        var (palette, preview) = await _colorizer.RunQueuedAsync(() =>
        {
            using var photo = ImageDecoder.Decode(bytes, limits);
            var palette = ReferencePalette.FromImage(photo);
            using var small = new Mat();
            double scale = Math.Min(1.0, 160.0 / Math.Max(photo.Width, photo.Height));
            Cv2.Resize(photo.Pixels, small, new Size(Math.Max(1, (int)(photo.Width * scale)), Math.Max(1, (int)(photo.Height * scale))), 0, 0, InterpolationFlags.Area);
            return (palette, ToPreview(small));
        }, QueueClient, _colorizer.EstimateWorkingSet(bytes), _stopping);
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
        using var lease = await LeaseLoadedAsync(item);
        if (lease is null)
            return;
        var options = item.Options;
        var guidance = item.Guidance;
        NotifyChanged();
        try
        {
            var preview = await RenderChargedAsync(lease.Image, () => RenderPreview(lease.Image, options, guidance), _stopping);
            if (item.Options == options && item.Guidance == guidance)
            {
                item.ResultPreview = preview;
                ClearPreviewError(item);
                NotifyChanged();
                ScheduleUpdate(item);
            }
            // The compared model's side follows the same sliders and guidance.
            await RefreshComparisonAsync(item);
        }
        catch (ColorizerException ex) when (ex is InvalidHintsException or DeadlineExceededException)
        {
            // Hints are checked before they were kept, so only a race gets here; the memory for images in flight can
            // stay full past the deadline. Either way the page keeps its last preview and says why.
            item.Error = item.PreviewError = ex.Message;
            NotifyChanged();
        }
    }

    /// <summary>Cancels an item's waiting or running work.</summary>
    public void Cancel(GalleryItem item) => item.Cancel();

    /// <summary>What of the uploads' metadata the downloads keep (the page's choice); every download is marked as colorized.</summary>
    public MetadataMode Metadata { get; set; } = MetadataMode.Keep;

    /// <summary>The full-resolution result with the item's settings and <see cref="Metadata"/>, encoded.</summary>
    public async Task<byte[]> EncodeAsync(GalleryItem item, OutputFormat format)
    {
        using var lease = await LeaseLoadedAsync(item) ?? throw new InvalidOperationException("The image is not colorized yet, or was removed.");
        var options = item.Options;
        var guidance = item.Guidance;
        var encoder = EncoderOptions.Default with { Metadata = Metadata };
        // The full-resolution render and its encoding are a photo's working set, charged while they are made.
        var image = lease.Image;
        using var memory = await _colorizer.ChargeAsync(_colorizer.EstimateWorkingSet(image.Width, image.Height), ct: _stopping);
        return await Task.Run(() => image.Encode(format, options.Temperature, options.Saturation, encoder, guidance));
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
    /// Writes every finished result at full resolution into one ZIP on <paramref name="destination"/>, in the order
    /// the files were picked, with unique names: all in <paramref name="format"/>, or when it is null each in the
    /// format that follows its upload's (<see cref="OutputFormats.Following"/>: JPEG stays JPEG, TIFF stays TIFF, the rest PNG), as the
    /// command line does.
    /// </summary>
    public async Task WriteZipAsync(Stream destination, OutputFormat? format, CancellationToken ct = default)
    {
        var done = Items.Where(i => i.Status == GalleryItemStatus.Done && i.HasResult).OrderBy(i => i.Sequence).ToList();
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in done)
        {
            ct.ThrowIfCancellationRequested();
            var itemFormat = format ?? OutputFormats.Following(item.SourceFormat);
            string name = DownloadName(item, itemFormat);
            for (int n = 2; !used.Add(name); n++)
                name = Path.GetFileNameWithoutExtension(DownloadName(item, itemFormat)) + $" ({n})" + ImageEncoder.Extension(itemFormat);
            byte[] bytes = await EncodeAsync(item, itemFormat);
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
        if (_store.Storage is { } storage && _gallery.Id is { } id)
            _ = ForgetAsync(storage, id, item);
        item.Dispose();
        NotifyChanged();
    }

    private async Task ForgetAsync(Storage.GalleryStorage storage, string galleryId, GalleryItem item)
    {
        try
        {
            await storage.DeleteAsync(galleryId, item);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            _logger.LogWarning(ex, "A removed photo could not be deleted from the gallery storage; the next start sweeps it");
        }
    }

    // Writes a colorized photo to the gallery storage (the first time with its upload), so a reload after a restart
    // finds it; a photo the storage cannot keep (a full quota, a disk error) says so on its card and lives on in memory.
    private async Task PersistAsync(GalleryItem item, bool predictionChanged)
    {
        if (_store.Storage is not { } storage || _gallery.Id is not { } galleryId)
            return;
        using (var lease = item.LeaseResult())
        {
            if (lease is null)
                return;
            try
            {
                item.NotKept = await storage.SaveAsync(galleryId, item, lease.Image, item.UnsavedUpload, predictionChanged);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException
                or ObjectDisposedException or InvalidOperationException)
            {
                _logger.LogWarning(ex, "A page photo could not be written to the gallery storage");
                item.NotKept = "Not kept on the server: it could not be written to disk. It stays while the server runs.";
            }
        }
        // Kept, or refused for good: the upload's bytes are not held on for it.
        item.UnsavedUpload = null;
        _store.Trim();
        NotifyChanged();
    }

    // Settings, hints and previews change often (a slider moving): the record is rewritten once they have settled.
    private void ScheduleUpdate(GalleryItem item)
    {
        // Scheduled even before the first write has landed: it runs after it (writes are in order) and finds the record.
        if (_store.Storage is not { } storage || _gallery.Id is not { } galleryId || item.Status != GalleryItemStatus.Done)
            return;
        if (Interlocked.Exchange(ref item.UpdateScheduled, 1) == 1)
            return;
        _ = Task.Run(async () =>
        {
            await Task.Delay(UpdateDelay);
            Interlocked.Exchange(ref item.UpdateScheduled, 0);
            try
            {
                // Its new previews past a disk quota: no longer kept on disk, and its card says so.
                if (await storage.UpdateAsync(galleryId, item) is { } refusal)
                {
                    item.NotKept = refusal;
                    NotifyChanged();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                _logger.LogWarning(ex, "A page photo's settings could not be written to the gallery storage");
            }
        });
    }

    private static readonly TimeSpan UpdateDelay = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// A lease on the item's result, reading it back from the gallery storage first when the memory budget dropped it
    /// (on its turn in the queue: a decode of the upload, any repairs, the kept network output; no network pass).
    /// Null when there is no result, or it could not be read (the card then says why).
    /// </summary>
    internal async Task<GalleryItem.ResultLease?> LeaseLoadedAsync(GalleryItem item)
    {
        if (item.LeaseResult() is { } lease)
            return lease;
        if (item.Stored is null || _store.Storage is not { } storage || _gallery.Id is not { } galleryId)
            return null;
        await item.LoadGate.WaitAsync();
        try
        {
            if (item.LeaseResult() is { } loaded)
                return loaded;
            if (item.Stored is not { } stored)
                return null;
            var bins = _colorizer.BinsFor(stored.Options.Model);
            var limits = _colorizer.Models.Limits;
            // Its upload decoded and any repairs redone: a photo's working set, charged while it is read back.
            var (result, original) = await _colorizer.RunQueuedAsync(() => storage.LoadResult(galleryId, stored, bins, limits), QueueClient,
                _colorizer.EstimateWorkingSet(stored.Width, stored.Height), _stopping);
            if (!item.TryReplace(result, original, dropOriginal: false))
            {
                result.Dispose();
                original?.Dispose();
                return null;
            }
            var held = item.LeaseResult();
            _store.Trim();
            return held;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or ColorizerException
            or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
        {
            _logger.LogWarning(ex, "A kept page photo could not be read back from the gallery storage");
            item.Error = ex is ColorizerException ? ex.Message : "This photo could not be read back from the server's disk; add it again.";
            NotifyChanged();
            return null;
        }
        finally
        {
            item.LoadGate.Release();
        }
    }

    private async Task LoadInBackgroundAsync(GalleryItem item)
    {
        try
        {
            using var lease = await LeaseLoadedAsync(item);
        }
        catch (OperationCanceledException)
        {
            // The app is stopping.
        }
        NotifyChanged();
    }

    // Renders a display-size preview of an image on a worker thread, charged the memory budget for a display-size
    // image while it renders, waiting for room within the deadline as work does. The preview of a result that has just
    // changed waits as long as it takes instead (cancellable): the change is made, and its card must show it.
    private async Task<PreviewImage> RenderChargedAsync(int width, int height, Func<PreviewImage> render, CancellationToken ct, bool withinDeadline = true)
    {
        double scale = Math.Min(1.0, (double)_upload.Value.PreviewSide / Math.Max(1, Math.Max(width, height)));
        long bytes = _colorizer.EstimateWorkingSet((int)Math.Ceiling(width * scale), (int)Math.Ceiling(height * scale));
        using var memory = withinDeadline ? await _colorizer.ChargeAsync(bytes, ct: ct)
            : _colorizer.Budget is { } budget && bytes > 0 ? await budget.AcquireWorkingAsync(bytes, ct) : null;
        return await Task.Run(render, ct);
    }

    private Task<PreviewImage> RenderChargedAsync(ColorizedImage image, Func<PreviewImage> render, CancellationToken ct, bool withinDeadline = true) =>
        RenderChargedAsync(image.Width, image.Height, render, ct, withinDeadline);

    // A preview rendered: the refusal an earlier one left on the card is over (another error, a re-run's, stays).
    private static void ClearPreviewError(GalleryItem item)
    {
        if (item.PreviewError is { } shown && item.Error == shown)
            item.Error = null;
        item.PreviewError = null;
    }

    private PreviewImage RenderPreview(ColorizedImage result, ColorizationOptions options, ColorGuidance guidance)
    {
        using var preview = result.RenderPreview(_upload.Value.PreviewSide, options.Temperature, options.Saturation, guidance);
        return ToPreview(preview);
    }

    private static PreviewImage ToPreview(Mat image)
    {
        // JPEG keeps previews small (they are served by URL, and kept on disk); WebP where there is alpha to show.
        bool alpha = image.Channels() == 4;
        var format = alpha ? OutputFormat.WebP : OutputFormat.Jpeg;
        byte[] bytes = ImageEncoder.Encode(image, format, new EncoderOptions { JpegQuality = 88, WebPQuality = 88 });
        return PreviewImage.FromBytes(bytes, ImageEncoder.ContentType(format));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _gallery.Changed -= OnGalleryChanged;
        // The browser sending this circuit's uploads is gone: those cards end now, not when a read times out. Marked
        // before the reads are cancelled, so the upload loop cannot go on to the next file in between.
        lock (_uploads)
        {
            foreach (var item in _uploads)
                item.Interrupt();
            _uploads.Clear();
        }
        _circuitGone.Cancel();
        // Files kept for Try again are not kept for a page that is gone: a detached gallery holds no uploads' bytes.
        foreach (var item in _gallery.Items)
            item.DropRetry();
        _gallery.Renumber();
        _gallery.NotifyChanged();
        if (_gallery.Id is null)
        {
            _store.ForgetUnnamed(_gallery);
            _gallery.Dispose();
        }
        else
            _store.Detach(_gallery);
    }
}
