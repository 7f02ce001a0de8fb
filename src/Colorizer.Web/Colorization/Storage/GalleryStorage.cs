using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.IO;
using Colorizer.Core.Models;
using Colorizer.Core.Restoration;
using Colorizer.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Colorization.Storage;

/// <summary>
/// The galleries on disk: the storage folder (<see cref="GalleryOptions.StorageDirectory"/>) holds the SQLite index
/// (<see cref="GalleryIndex"/>), a lock file held for as long as the app runs (one app per folder), and a folder of
/// files per gallery: each colorized photo's upload, as it arrived, and its kept network output. A photo is written
/// when it is colorized and rewritten when its network output changes; its settings, hints and previews follow each
/// change. Files are written under temporary names and renamed when whole, before the index names them; so after a
/// crash every photo is whole or absent, and what no row names is swept at the next start.
/// </summary>
public sealed class GalleryStorage : IDisposable
{
    private const string IndexName = "galleries.db", LockName = "galleries.lock";
    private readonly GalleryOptions _options;
    private readonly ILogger<GalleryStorage> _logger;
    private readonly TimeProvider _clock;
    private readonly Lock _openLock = new();
    private readonly SemaphoreSlim _writes = new(1, 1);
    private GalleryIndex? _index;
    private FolderLock? _lockFile;
    private bool _disposed;
    private Func<string, bool> _isHeld = _ => false;

    /// <summary>Creates the storage; the folder is opened on first use.</summary>
    public GalleryStorage(IOptions<GalleryOptions> options, ILogger<GalleryStorage> logger, TimeProvider clock)
    {
        _options = options.Value;
        _logger = logger;
        _clock = clock;
    }

    /// <summary>Tells the storage which galleries memory holds: those are never deleted from disk by expiry or the quota.</summary>
    internal void HeldBy(Func<string, bool> isHeld) => _isHeld = isHeld;

    /// <summary>The storage folder.</summary>
    public string Root => _options.ResolvedStorageDirectory;

    private GalleryIndex Index
    {
        get
        {
            lock (_openLock)
            {
                // After a stop, a late caller (a page closing, a metrics scrape) must not open the folder again.
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_index is not null)
                    return _index;
                Directory.CreateDirectory(Root);
                _lockFile = FolderLock.Take(Root, LockName, "gallery storage", "Gallery:StorageDirectory");
                _index = GalleryIndex.Open(Path.Combine(Root, IndexName));
                return _index;
            }
        }
    }

    /// <summary>
    /// Deletes galleries closed longer than <see cref="GalleryOptions.KeepOnDiskFor"/>, and the oldest closed ones while
    /// all are over <see cref="GalleryOptions.DiskQuota"/>. With <paramref name="leftovers"/> (at start, before anything
    /// is written) it also sweeps what a crash left: files no row names (half-written ones among them), rows whose
    /// files are gone, and folders of galleries no row names. Returns the number of galleries, files and rows removed.
    /// </summary>
    public int Sweep(bool leftovers = false)
    {
        _writes.Wait();
        try
        {
            return SweepLocked(leftovers);
        }
        finally
        {
            _writes.Release();
        }
    }

    private int SweepLocked(bool leftovers)
    {
        var index = Index;
        int removed = 0;
        var now = _clock.GetUtcNow();
        // A crash ran no detach: the galleries it had open count as closed from this start on, so they expire.
        if (leftovers)
            index.CloseAllOpen(now);
        var galleries = index.Galleries();
        var known = galleries.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, detachedAt, _, _) in galleries)
        {
            if (detachedAt is { } at && now - at > _options.KeepOnDiskFor && !_isHeld(id))
            {
                DeleteGallery(id);
                removed++;
                continue;
            }
            if (leftovers)
                removed += SweepLeftovers(index, id);
        }
        if (leftovers)
        {
            foreach (string folder in Directory.EnumerateDirectories(Root))
            {
                // Only folders that are galleries' (a volume's lost+found, say, is not the app's to delete).
                string name = Path.GetFileName(folder);
                if (GalleryStore.IsValidId(name) && !known.Contains(name) && TryDeleteFolder(folder))
                    removed++;
            }
        }
        removed += EnforceDiskQuota(exceptGallery: null);
        return removed;
    }

    // One gallery's leftovers of a crash: unreadable rows, rows whose files are gone, files no row names.
    private int SweepLeftovers(GalleryIndex index, string id)
    {
        int removed = 0;
        string folder = FolderOf(id);
        var unreadable = new List<string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, _) in index.Load(id, (bad, ex) =>
        {
            _logger.LogWarning(ex, "A kept photo's record ({Item}) cannot be read; it is dropped", bad);
            unreadable.Add(bad);
        }))
        {
            if (!File.Exists(Path.Combine(folder, item.UploadFile)) || !File.Exists(Path.Combine(folder, item.PredictionFile)))
                unreadable.Add(item.Id);
            else
                used.UnionWith([item.UploadFile, item.PredictionFile]);
        }
        foreach (string item in unreadable)
        {
            index.Delete(id, item);
            removed++;
        }
        if (Directory.Exists(folder))
        {
            foreach (string file in Directory.EnumerateFiles(folder))
            {
                if (!used.Contains(Path.GetFileName(file)) && BestEffortDelete.File(file))
                    removed++;
            }
        }
        return removed;
    }

    /// <summary>The bytes all kept photos take on disk: their files, and their previews in the index.</summary>
    public long BytesInUse => Index.Galleries().Sum(g => g.Bytes);

    /// <summary>The photos kept of a gallery, newest pick first; empty for a gallery that has none.</summary>
    internal IReadOnlyList<(StoredGalleryItem Item, StoredPreviews Previews)> Load(string galleryId) =>
        Index.Load(galleryId, (bad, ex) => _logger.LogWarning(ex, "A kept photo's record ({Item}) cannot be read; it is skipped", bad));

    /// <summary>Records the gallery as shown, or closed now.</summary>
    internal void SetDetached(string galleryId, bool detached) => Index.SetDetached(galleryId, detached ? _clock.GetUtcNow() : null);

    /// <summary>
    /// Writes a colorized photo: its upload (the first time), its network output when it changed, and its record.
    /// Returns null when it was written, else why it was not kept (a full quota). Serialized with every other write.
    /// </summary>
    internal async Task<string?> SaveAsync(string galleryId, GalleryItem item, ColorizedImage result, byte[]? upload, bool predictionChanged)
    {
        await _writes.WaitAsync();
        try
        {
            return await Task.Run(() => SaveLockedAsync(galleryId, item, result, upload, predictionChanged));
        }
        finally
        {
            _writes.Release();
        }
    }

    private async Task<string?> SaveLockedAsync(string galleryId, GalleryItem item, ColorizedImage result, byte[]? upload, bool predictionChanged)
    {
        var index = Index;
        string folder = FolderOf(galleryId);
        Directory.CreateDirectory(folder);
        var previous = item.Stored;
        if (previous is null && upload is null)
            return "The photo's file is no longer on the server, so it is not kept.";
        long uploadBytes = upload?.LongLength ?? new FileInfo(Path.Combine(folder, previous!.UploadFile)).Length;
        long predictionBytes = result.Prediction.SizeInBytes + 16;
        long bytes = uploadBytes + predictionBytes;
        var previews = item.KeptPreviews;
        if (QuotaRefusal(galleryId, item.Id, bytes + PreviewBytes(previews)) is { } refusal)
        {
            // What is on disk is of an earlier version of the photo: gone, so it is never read back in place of this one.
            if (previous is not null)
                Forget(galleryId, item, previous, keepPreviews: true);
            return refusal;
        }
        string uploadFile = previous?.UploadFile ?? $"{item.Id}.upload";
        string predictionFile = previous is not null && !predictionChanged ? previous.PredictionFile : $"{item.Id}-{Guid.NewGuid():N}.prediction";
        if (previous is null)
            await AtomicFile.WriteAllBytesAsync(Path.Combine(folder, uploadFile), upload);
        if (previous is null || predictionChanged)
        {
            await AtomicFile.WriteAsync(Path.Combine(folder, predictionFile), (stream, _) =>
            {
                ChromaPredictionFile.Write(result.Prediction, stream);
                return Task.CompletedTask;
            });
        }
        var record = Record(item, result.ModelName, uploadFile, predictionFile, bytes);
        index.Save(galleryId, record, previews);
        item.Stored = record;
        MovedToDisk(previews);
        // The row names the new output now: the old one can go.
        if (previous is not null && previous.PredictionFile != predictionFile)
            BestEffortDelete.File(Path.Combine(folder, previous.PredictionFile));
        return null;
    }

    /// <summary>
    /// Rewrites a kept photo's record (its settings, hints and previews changed; its files did not). Returns null when
    /// it was written (or its row is gone), else why it is no longer kept: its new previews would take it past a quota,
    /// so it is forgotten on disk and lives on in memory.
    /// </summary>
    internal async Task<string?> UpdateAsync(string galleryId, GalleryItem item)
    {
        await _writes.WaitAsync();
        try
        {
            // Read under the write lock: a save that just ran has set it.
            if (item.Stored is not { } stored)
                return null;
            return await Task.Run(() =>
            {
                var previews = item.KeptPreviews;
                if (QuotaRefusal(galleryId, item.Id, stored.Bytes + PreviewBytes(previews)) is { } refusal)
                {
                    Forget(galleryId, item, stored, keepPreviews: true);
                    return refusal;
                }
                var record = Record(item, stored.ModelName, stored.UploadFile, stored.PredictionFile, stored.Bytes);
                // Only a row that is still there: one deleted meanwhile (its gallery expired) is not brought back.
                bool updated = Index.Update(galleryId, record, previews);
                item.Stored = updated ? record : null;
                if (updated)
                    MovedToDisk(previews);
                return null;
            });
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>
    /// Forgets a photo and deletes its files (the row first, so a crash in between leaves only files to sweep); after
    /// any write of it still under way.
    /// </summary>
    internal async Task DeleteAsync(string galleryId, GalleryItem item)
    {
        await _writes.WaitAsync();
        try
        {
            if (item.Stored is { } stored)
                Forget(galleryId, item, stored, keepPreviews: false);
        }
        finally
        {
            _writes.Release();
        }
    }

    // Written: memory lets go of the previews' bytes, and the browser's requests read them from the index.
    private static void MovedToDisk(IReadOnlyList<(PreviewKind Kind, PreviewImage? Image)> previews)
    {
        foreach (var (_, image) in previews)
            image?.MovedToDisk();
    }

    /// <summary>A kept preview's bytes, or null when the index does not hold that version of it (any more).</summary>
    internal byte[]? ReadPreview(string galleryId, string itemId, PreviewKind kind, string version) =>
        GalleryStore.IsValidId(galleryId) ? Index.ReadPreview(galleryId, itemId, kind, version) : null;

    private void Forget(string galleryId, GalleryItem item, StoredGalleryItem stored, bool keepPreviews)
    {
        // A card that stays (a refused re-save) takes its previews that are only on disk back into memory first.
        foreach (var (kind, image) in keepPreviews ? item.KeptPreviews : [])
        {
            if (image is { Bytes: null } && Index.ReadPreview(galleryId, stored.Id, kind, image.Version) is { } bytes)
                image.BackInMemory(bytes);
        }
        Index.Delete(galleryId, stored.Id);
        item.Stored = null;
        string folder = FolderOf(galleryId);
        BestEffortDelete.File(Path.Combine(folder, stored.UploadFile));
        BestEffortDelete.File(Path.Combine(folder, stored.PredictionFile));
    }

    /// <summary>Forgets a gallery and deletes its folder.</summary>
    internal void DeleteGallery(string galleryId)
    {
        Index.DeleteGallery(galleryId);
        TryDeleteFolder(FolderOf(galleryId));
    }

    private bool TryDeleteFolder(string folder)
    {
        if (BestEffortDelete.Folder(folder))
            return true;
        _logger.LogWarning("The gallery folder {Folder} could not be removed; the next start sweeps it", folder);
        return false;
    }

    /// <summary>
    /// Rebuilds a kept photo's result from its files without the network: the upload decoded (and repaired as it was),
    /// the network output read back. Returns the result and, for a repaired photo, its original. The caller owns both.
    /// </summary>
    internal (ColorizedImage Result, DecodedImage? Original) LoadResult(string galleryId, StoredGalleryItem stored, BinCentres bins, DecodeLimits limits)
    {
        string folder = FolderOf(galleryId);
        byte[] upload = File.ReadAllBytes(Path.Combine(folder, stored.UploadFile));
        ChromaPrediction prediction;
        using (var stream = File.OpenRead(Path.Combine(folder, stored.PredictionFile)))
            prediction = ChromaPredictionFile.Read(stream);
        var original = ImageDecoder.Decode(upload, limits);
        DecodedImage? source = null;
        try
        {
            if (stored.Options.Restoration.IsEmpty)
                return (ColorizedImage.FromKept(original, prediction, bins, stored.Options, stored.ModelName), null);
            source = PhotoRestorer.ApplyToCopy(original, stored.Options.Restoration);
            var result = ColorizedImage.FromKept(source, prediction, bins, stored.Options, stored.ModelName);
            return (result, original);
        }
        catch
        {
            source?.Dispose();
            original.Dispose();
            throw;
        }
    }

    // Whether a photo that takes bytes on disk once written (its files and its previews) still fits: null when it does
    // (after deleting the galleries closed longest ago when all together would be over the quota), else why not.
    private string? QuotaRefusal(string galleryId, string itemId, long bytes)
    {
        long before = Index.ItemBytes(galleryId, itemId);
        EnforceDiskQuota(exceptGallery: galleryId, adding: bytes - before);
        var galleries = Index.Galleries();
        long galleryBytes = galleries.Where(g => g.Id == galleryId).Sum(g => g.Bytes) - before;
        long totalBytes = galleries.Sum(g => g.Bytes) - before;
        return galleryBytes + bytes > _options.DiskQuotaPerGallery
            ? $"Not kept on the server: this gallery's share of the disk ({Megabytes(_options.DiskQuotaPerGallery)}) is full. Remove some photos to keep new ones."
            : totalBytes + bytes > _options.DiskQuota
                ? $"Not kept on the server: the disk space for all galleries ({Megabytes(_options.DiskQuota)}) is full."
                : null;
    }

    // The bytes a photo's previews take in the index once written: those in memory and those only on disk alike.
    private static long PreviewBytes(IReadOnlyList<(PreviewKind Kind, PreviewImage? Image)> previews) => previews.Sum(p => (long)(p.Image?.Length ?? 0));

    // Oldest closed galleries go first when all of them together (with what is about to be added) are over the quota;
    // the one being written, and those memory still holds, stay.
    private int EnforceDiskQuota(string? exceptGallery, long adding = 0)
    {
        var galleries = Index.Galleries();
        long total = galleries.Sum(g => g.Bytes) + adding;
        int removed = 0;
        foreach (var (id, _, bytes, _) in galleries.Where(g => g.DetachedAt is not null && g.Id != exceptGallery && !_isHeld(g.Id)).OrderBy(g => g.DetachedAt))
        {
            if (total <= _options.DiskQuota)
                break;
            _logger.LogInformation("Gallery storage is over its quota ({Quota}): the gallery closed longest ago ({Bytes} bytes) is deleted",
                Megabytes(_options.DiskQuota), bytes);
            DeleteGallery(id);
            total -= bytes;
            removed++;
        }
        return removed;
    }

    private static StoredGalleryItem Record(GalleryItem item, string modelName, string uploadFile, string predictionFile, long bytes) => new(
        item.Id, item.Sequence, item.FileName, item.SourceFormat, item.Width, item.Height, item.InputHadColor, modelName,
        item.Options, HintsJson.Serialize(item.Hints.Current), item.Variant, item.TransferMode, Reference(item), uploadFile, predictionFile, bytes);

    private static StoredReference? Reference(GalleryItem item) => item.Reference is { } palette
        ? new StoredReference(item.ReferenceName, palette.Global, palette.Bands)
        : null;


    private string FolderOf(string galleryId) => GalleryStore.IsValidId(galleryId)
        ? Path.Combine(Root, galleryId)
        : throw new ArgumentException("Not a gallery id.", nameof(galleryId));

    private static string Megabytes(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.#} GB" : $"{bytes / (double)(1L << 20):0} MB";

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_openLock)
        {
            _disposed = true;
            _index?.Dispose();
            _index = null;
            _lockFile?.Dispose();
            _lockFile = null;
        }
        _writes.Dispose();
    }
}
