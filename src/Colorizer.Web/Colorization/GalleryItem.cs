using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Restoration;
using Colorizer.Core.Guidance;

namespace Colorizer.Web.Colorization;

/// <summary>The stages of a <see cref="GalleryItem"/>.</summary>
public enum GalleryItemStatus
{
    /// <summary>Its bytes are arriving from the browser, or it waits for the photos picked before it to arrive.</summary>
    Uploading,

    /// <summary>Uploaded, waiting for its turn: in its tab's line, then in the shared work queue.</summary>
    Waiting,

    /// <summary>The network is running.</summary>
    Running,

    /// <summary>Colorized.</summary>
    Done,

    /// <summary>Refused or failed; see <see cref="GalleryItem.Error"/>.</summary>
    Failed,

    /// <summary>Cancelled by the user.</summary>
    Cancelled,
}

/// <summary>The result variants of one image.</summary>
public enum ColorVariant
{
    /// <summary>The network's colours (with any hints).</summary>
    Automatic,

    /// <summary>The network's colours moved toward a reference photo's palette (with any hints).</summary>
    Reference,
}

/// <summary>One upload in a session's gallery, with its state, previews and current settings.</summary>
public sealed class GalleryItem : IDisposable
{
    // Not disposed, only cancelled and replaced: the page's renders and the upload loop read WorkToken from other
    // threads, and a token of a disposed source would throw there. A source without a timer holds no native handle.
    private CancellationTokenSource _work = new();
    private readonly CancellationTokenSource _upload = new();
    private static long _sequence;

    /// <summary>Creates an item for an upload called <paramref name="fileName"/>.</summary>
    public GalleryItem(string fileName)
    {
        FileName = fileName;
        Id = Guid.NewGuid().ToString("N")[..8];
        Sequence = Interlocked.Increment(ref _sequence);
    }

    /// <summary>
    /// A card for a photo read back from the gallery storage: done, with its previews, settings, hints and reference;
    /// its result is read from disk when it is first needed.
    /// </summary>
    internal static GalleryItem FromStored(Storage.StoredGalleryItem stored, Storage.StoredPreviews previews)
    {
        PreviewImage? Kept(PreviewKind kind, string? legacy) =>
            previews.Images.TryGetValue(kind, out var image) ? image : PreviewImage.FromDataUrl(legacy);
        var item = new GalleryItem(stored.FileName, stored.Id, stored.Sequence)
        {
            Status = GalleryItemStatus.Done,
            SourceFormat = stored.SourceFormat,
            Width = stored.Width,
            Height = stored.Height,
            InputHadColor = stored.InputHadColor,
            Options = stored.Options,
            WantedRestoration = stored.Options.Restoration,
            Variant = stored.Variant,
            TransferMode = stored.TransferMode,
            OriginalPreview = Kept(PreviewKind.Original, previews.Original),
            ResultPreview = Kept(PreviewKind.Result, previews.Result),
            RepairedPreview = Kept(PreviewKind.Repaired, previews.Repaired),
            Stored = stored,
        };
        item.Hints.Restore(HintsJson.Parse(stored.Hints));
        if (stored.Reference is { } reference)
        {
            item.Reference = ReferencePalette.FromStatistics(reference.Global, reference.Bands);
            item.ReferenceName = reference.Name;
            item.ReferencePreview = Kept(PreviewKind.Reference, reference.Preview);
        }
        return item;
    }

    private GalleryItem(string fileName, string id, long sequence)
    {
        FileName = fileName;
        Id = id;
        Sequence = sequence;
        // Items made after it in this process come after it in the order picked.
        long seen;
        while ((seen = Interlocked.Read(ref _sequence)) < sequence && Interlocked.CompareExchange(ref _sequence, sequence, seen) != seen)
        {
        }
    }

    /// <summary>The message of an upload whose page (or its connection) went away before all its bytes arrived.</summary>
    public const string InterruptedMessage = "Upload interrupted — add the photo again.";

    /// <summary>Increases with every item made: the order the files were picked in.</summary>
    public long Sequence { get; }

    /// <summary>The file's size as the browser reported it.</summary>
    public long UploadSize { get; set; }

    /// <summary>The bytes of it that have arrived.</summary>
    public long UploadedBytes { get; set; }

    /// <summary>True once its bytes have started arriving (the photos picked before it have arrived).</summary>
    public bool UploadStarted { get; set; }

    /// <summary>The share uploaded, 0 to 100.</summary>
    public int UploadPercent => UploadSize <= 0 ? (UploadStarted ? 100 : 0) : (int)Math.Clamp(100 * UploadedBytes / UploadSize, 0, 100);

    /// <summary>
    /// 0 unless it waits for its turn in its tab (uploading, or uploaded and behind the tab's photos already in the
    /// shared queue); then its place in the tab's order (1 runs next).
    /// </summary>
    public int TabPosition { get; set; }

    /// <summary>
    /// The uploaded file, kept while it waits in its tab's line, and after a refusal that a retry can overcome (a full
    /// server, a missed deadline), so <em>Try again</em> needs no new upload. Null otherwise.
    /// </summary>
    internal byte[]? PendingBytes { get; set; }

    /// <summary>True when the item failed for a reason a retry can overcome and still has its file.</summary>
    public bool CanRetry => Status == GalleryItemStatus.Failed && PendingBytes is not null;

    /// <summary>The format the file was in (by its content), once known.</summary>
    public Core.Imaging.ImageFormat? SourceFormat { get; set; }

    /// <summary>A short id for the page's element ids.</summary>
    public string Id { get; }

    /// <summary>The name the user's file had: shown (encoded by Razor), never used as a path.</summary>
    public string FileName { get; }

    /// <summary>The stage.</summary>
    public GalleryItemStatus Status { get; set; } = GalleryItemStatus.Waiting;

    /// <summary>0 while running, else the place in the work queue (1 is next).</summary>
    public int QueuePosition { get; set; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; set; }

    // The Error a preview re-render left (the memory budget full past the deadline): the next preview that renders
    // clears it, so a card does not go on saying the server was too busy once its preview shows the change.
    internal string? PreviewError { get; set; }

    /// <summary>The display-size original.</summary>
    public PreviewImage? OriginalPreview { get; set; }

    /// <summary>The display-size result.</summary>
    public PreviewImage? ResultPreview { get; set; }

    /// <summary>
    /// The id of the gallery the item is in, for its preview URLs (a random id the tab's page is given: a capability,
    /// like the item's own id). Set when the item joins a gallery.
    /// </summary>
    internal string? GalleryKey { get; set; }

    /// <summary>The preview of <paramref name="kind"/> the card shows, or null.</summary>
    public PreviewImage? Preview(PreviewKind kind) => kind switch
    {
        PreviewKind.Original => OriginalPreview,
        PreviewKind.Result => ResultPreview,
        PreviewKind.Repaired => RepairedPreview,
        PreviewKind.Compare => ShownComparison?.Preview,
        PreviewKind.Reference => ReferencePreview,
        _ => null,
    };

    /// <summary>
    /// The URL the page shows the preview of <paramref name="kind"/> at (relative to the page's base), with its version,
    /// so a new picture is a new URL; empty when there is none.
    /// </summary>
    public string PreviewUrl(PreviewKind kind) => Preview(kind) is { } preview && GalleryKey is { } gallery
        ? $"gallery/{gallery}/{Id}/{PreviewImage.UrlName(kind)}?v={preview.Version}"
        : "";

    /// <summary>The previews the gallery storage keeps (those of other models, for comparing, are not kept).</summary>
    internal IReadOnlyList<(PreviewKind Kind, PreviewImage? Image)> KeptPreviews =>
        [(PreviewKind.Original, OriginalPreview), (PreviewKind.Result, ResultPreview), (PreviewKind.Repaired, RepairedPreview), (PreviewKind.Reference, ReferencePreview)];

    /// <summary>The bytes of previews memory holds (those not written to disk yet, and other models' for comparing).</summary>
    internal long PreviewBytes => KeptPreviews.Sum(p => p.Image?.HeldBytes ?? 0) + ComparisonPreviewBytes;

    private long ComparisonPreviewBytes
    {
        get
        {
            // The page's thread changes the list; the memory budget counts from another. A count taken while it changes
            // is taken again next time rather than failing the budget's pass.
            try
            {
                return Comparisons.ToArray().Sum(c => c?.Preview?.HeldBytes ?? 0);
            }
            catch (ArgumentException)
            {
                return 0;
            }
        }
    }

    /// <summary>Other models' results for this photo, to compare with the card's own (oldest first).</summary>
    public List<ModelComparison> Comparisons { get; } = [];

    /// <summary>The id of the model shown on the compare's "before" side, or null for the original.</summary>
    public string? CompareWith { get; set; }

    /// <summary>The comparison on the "before" side, or null for the original.</summary>
    public ModelComparison? ShownComparison => Comparisons.FirstOrDefault(c => c.Model.Id == CompareWith);

    /// <summary>What the item waits for besides the queue (a model's download), for the card to say; else null.</summary>
    public string? Note { get; set; }

    /// <summary>True while a new render size is being computed.</summary>
    public bool Recomputing { get; set; }

    /// <summary>The settings the preview shows.</summary>
    public ColorizationOptions Options { get; set; } = ColorizationOptions.Default;

    /// <summary>
    /// The repairs the card's toggles ask for. <see cref="ColorizationOptions.Restoration"/> in <see cref="Options"/> is
    /// what the result shown was made with; the two differ while a change is being worked on.
    /// </summary>
    public RestorationOptions WantedRestoration { get; set; } = RestorationOptions.None;

    /// <summary>The display-size repaired photo while repairs are on, else null.</summary>
    public PreviewImage? RepairedPreview { get; set; }

    /// <summary>True while a change of repairs is being worked on (the repair, then the network on the repaired photo).</summary>
    public bool Repairing { get; set; }

    /// <summary>What the gallery storage holds of this photo, once written; null before (or when it could not be kept).</summary>
    internal Storage.StoredGalleryItem? Stored { get; set; }

    /// <summary>Why the photo is not kept on the server's disk (a full quota), for the card to say; else null.</summary>
    public string? NotKept { get; set; }

    /// <summary>The upload's bytes while the photo is colorized but not yet written to the gallery storage.</summary>
    internal byte[]? UnsavedUpload { get; set; }

    /// <summary>When the result was last used (a render, a download), for the memory budget's least-recently-used order.</summary>
    internal long LastUsed { get; private set; }

    /// <summary>1 while a rewrite of the stored record is scheduled (the session's debounce).</summary>
    internal int UpdateScheduled;

    /// <summary>One read-back from disk at a time. (Not disposed: a reader may still wait on it as the card goes; it holds no handle.)</summary>
    internal SemaphoreSlim LoadGate { get; } = new(1, 1);

    /// <summary>True when the item has a result, in memory or kept on disk to be read back.</summary>
    public bool HasResult => IsLoaded || (Stored is not null && Status == GalleryItemStatus.Done);

    /// <summary>True when the result is in memory.</summary>
    internal bool IsLoaded
    {
        get
        {
            lock (_resultLock)
                return _result is not null && !_disposed;
        }
    }

    /// <summary>
    /// The bytes the result (its photo, its network output), any kept original and the previews not yet written to disk
    /// hold in memory.
    /// </summary>
    internal long MemoryBytes => ResultBytes + PreviewBytes;

    /// <summary>The bytes the result (its photo, its network output) and any kept original hold in memory.</summary>
    internal long ResultBytes
    {
        get
        {
            lock (_resultLock)
                return MemoryBytesLocked();
        }
    }

    private long MemoryBytesLocked()
    {
        if (_disposed || _result is null)
            return 0;
        var result = _result.Value;
        return SizeOf(result.Source) + result.Prediction.SizeInBytes + (_original is null ? 0 : SizeOf(_original.Value));
    }

    private static long SizeOf(DecodedImage image) =>
        (long)image.Pixels.Total() * image.Pixels.ElemSize() + (image.Alpha is { } alpha ? (long)alpha.Total() * alpha.ElemSize() : 0);

    /// <summary>
    /// Drops the result (and any kept original) from memory, for the memory budget: only a photo that is kept on disk
    /// (it is read back when next needed) and is not being worked on. Renders in flight keep what they leased. Returns
    /// the bytes it freed, or 0 when it could not.
    /// </summary>
    internal long TryUnload()
    {
        Held<ColorizedImage>? result;
        Held<DecodedImage>? original;
        long bytes;
        lock (_resultLock)
        {
            // Not while a render, a download or the network holds it: the memory would not be freed anyway, and the
            // work would go on over a result the item no longer has.
            if (_disposed || _result is null || Stored is null || IsBusy || Repairing || _result.IsShared)
                return 0;
            bytes = MemoryBytesLocked();
            (result, _result) = (_result, null);
            (original, _original) = (_original, null);
        }
        result.Release();
        original?.Release();
        return bytes;
    }

    /// <summary>True when the upload was already in colour.</summary>
    public bool InputHadColor { get; set; }

    /// <summary>Width of the full-resolution result.</summary>
    public int Width { get; set; }

    /// <summary>Height of the full-resolution result.</summary>
    public int Height { get; set; }

    /// <summary>The colour hints placed on this image, with undo and redo.</summary>
    public HintHistory Hints { get; } = new();

    /// <summary>The reference photo's palette, once one is given.</summary>
    public ReferencePalette? Reference { get; set; }

    /// <summary>The reference photo's file name.</summary>
    public string? ReferenceName { get; set; }

    /// <summary>A small preview of the reference photo, to show beside the controls.</summary>
    public PreviewImage? ReferencePreview { get; set; }

    /// <summary>Which result is shown and downloaded: the automatic colours or the reference's.</summary>
    public ColorVariant Variant { get; set; } = ColorVariant.Automatic;

    /// <summary>How the reference palette is applied.</summary>
    public ReferenceTransferMode TransferMode { get; set; } = ReferenceTransferMode.LuminanceBands;

    /// <summary>What the preview and downloads apply on top of the network's colours.</summary>
    public ColorGuidance Guidance => new()
    {
        Hints = Hints.Current,
        Reference = Variant == ColorVariant.Reference ? Reference : null,
        TransferMode = TransferMode,
    };

    private readonly Lock _resultLock = new();
    private Held<ColorizedImage>? _result;
    private Held<DecodedImage>? _original;
    private bool _disposed;

    /// <summary>The full-resolution colorization, kept so downloads and restyling need no network pass.</summary>
    internal ColorizedImage? Result
    {
        get
        {
            lock (_resultLock)
                return _disposed ? null : _result?.Value;
        }
    }

    /// <summary>
    /// Keeps <paramref name="result"/>; false when the item was removed meanwhile (the caller then disposes it, so a
    /// colorization finishing just as its card goes away does not leak the image).
    /// </summary>
    internal bool TrySetResult(ColorizedImage result) => TryReplace(result, keepOriginal: null, dropOriginal: false);

    /// <summary>
    /// Replaces the result with <paramref name="result"/> (a repaired photo's colorization) and the kept original with
    /// <paramref name="keepOriginal"/> when one is given, or drops it when <paramref name="dropOriginal"/> (the photo is
    /// shown unrepaired again, and the result's own source is the original). What renders still hold stays alive until
    /// their leases end. False when the item was removed meanwhile: the caller then disposes what it passed.
    /// </summary>
    internal bool TryReplace(ColorizedImage result, DecodedImage? keepOriginal, bool dropOriginal)
    {
        Held<ColorizedImage>? oldResult;
        Held<DecodedImage>? oldOriginal = null;
        lock (_resultLock)
        {
            if (_disposed)
                return false;
            oldResult = _result;
            _result = new Held<ColorizedImage>(result);
            LastUsed = Environment.TickCount64;
            if (keepOriginal is not null || dropOriginal)
            {
                oldOriginal = _original;
                _original = keepOriginal is null ? null : new Held<DecodedImage>(keepOriginal);
            }
        }
        oldResult?.Release();
        oldOriginal?.Release();
        return true;
    }

    /// <summary>True when the photo is shown repaired and its original is kept beside the result.</summary>
    internal bool HasKeptOriginal
    {
        get
        {
            lock (_resultLock)
                return _original is not null;
        }
    }

    /// <summary>
    /// The result for one render or encode, or null if there is none (or the item is gone). The image (and the kept
    /// original, if any) stays alive until the lease is disposed, even if the item is removed or its result replaced
    /// meanwhile: renders run on the thread pool over its native buffers, which must not be freed under them.
    /// </summary>
    internal ResultLease? LeaseResult()
    {
        lock (_resultLock)
        {
            if (_disposed || _result is null)
                return null;
            _result.Acquire();
            _original?.Acquire();
            LastUsed = Environment.TickCount64;
            return new ResultLease(_result, _original);
        }
    }

    /// <summary>A hold on an item's result for the length of one render; dispose it when done.</summary>
    internal sealed class ResultLease : IDisposable
    {
        private readonly Held<ColorizedImage> _image;
        private readonly Held<DecodedImage>? _original;
        private int _released;

        internal ResultLease(Held<ColorizedImage> image, Held<DecodedImage>? original)
        {
            _image = image;
            _original = original;
        }

        /// <summary>The result, alive while the lease is held.</summary>
        public ColorizedImage Image => _image.Value;

        /// <summary>
        /// The photo as uploaded: the kept original when the result is of a repaired photo, else the result's own source.
        /// Alive while the lease is held.
        /// </summary>
        public DecodedImage Original => _original?.Value ?? _image.Value.Source;

        /// <summary>True when <see cref="Original"/> is kept apart from the result (the result is of a repaired photo).</summary>
        public bool OriginalKeptApart => _original is not null;

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            _image.Release();
            _original?.Release();
        }
    }

    /// <summary>A native image shared by the item and its leases, freed when the last of them lets go.</summary>
    internal sealed class Held<T>(T value) where T : class, IDisposable
    {
        private int _holders = 1;

        public T Value { get; } = value;

        // Only under the item's lock, while the item still holds it (so the count is above zero).
        public void Acquire() => Interlocked.Increment(ref _holders);

        // True while a lease holds it besides the item.
        public bool IsShared => Volatile.Read(ref _holders) > 1;

        public void Release()
        {
            if (Interlocked.Decrement(ref _holders) == 0)
                Value.Dispose();
        }
    }

    /// <summary>Cancels this item's running or waiting work.</summary>
    internal CancellationToken WorkToken => _work.Token;

    /// <summary>Cancelled when the upload is interrupted (its page reloaded or closed).</summary>
    internal CancellationToken UploadToken => _upload.Token;

    /// <summary>True while it can be cancelled.</summary>
    public bool IsBusy => Status is GalleryItemStatus.Uploading or GalleryItemStatus.Waiting or GalleryItemStatus.Running || Recomputing;

    /// <summary>
    /// Cancels the item's work. One that has not reached the shared queue yet (its bytes still arriving, or waiting in
    /// its tab) is cancelled at once, so the card never waits for a stream that may be gone.
    /// </summary>
    internal void Cancel()
    {
        // A second Cancel of work already cancelled (its end not yet reported) ends the card at once too.
        if (Status is GalleryItemStatus.Uploading || (Status is GalleryItemStatus.Waiting && QueuePosition == 0 && TabPosition > 0)
            || (IsBusy && !Recomputing && _work.IsCancellationRequested))
            MarkCancelled();
        _work.Cancel();
    }

    /// <summary>Forgets a refused item's kept file (its page is gone); the card keeps its message.</summary>
    internal void DropRetry()
    {
        if (Status == GalleryItemStatus.Failed)
            PendingBytes = null;
    }

    internal void MarkCancelled()
    {
        Status = GalleryItemStatus.Cancelled;
        Error = "Cancelled.";
        TabPosition = 0;
        QueuePosition = 0;
        PendingBytes = null;
    }

    /// <summary>Ends an upload whose bytes will not arrive any more; false when it was no longer uploading.</summary>
    internal bool Interrupt()
    {
        if (Status != GalleryItemStatus.Uploading)
            return false;
        Status = GalleryItemStatus.Failed;
        Error = InterruptedMessage;
        TabPosition = 0;
        _upload.Cancel();
        return true;
    }

    internal void ResetWork()
    {
        if (_work.IsCancellationRequested)
            _work = new CancellationTokenSource();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Held<ColorizedImage>? result;
        Held<DecodedImage>? original;
        lock (_resultLock)
        {
            if (_disposed)
                return;
            _disposed = true;
            (result, _result) = (_result, null);
            (original, _original) = (_original, null);
        }
        _work.Cancel();
        _upload.Cancel();
        PendingBytes = null;
        UnsavedUpload = null;
        // A render in flight keeps what it leased; the last lease frees it.
        result?.Release();
        original?.Release();
    }
}
