using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Colorizer.Core;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Colorization;

/// <summary>
/// One browser tab's gallery: its items, and the pages (circuits) showing it. It outlives a page, so a reload finds
/// its results and hints again; the tab keeps the gallery's random id in its session storage.
/// </summary>
public sealed class Gallery : IDisposable
{
    private readonly Lock _lock = new();
    private int _attached;

    internal Gallery(string? id, int tabPlaces = 2)
    {
        Id = id;
        PreviewKey = id ?? Guid.NewGuid().ToString("N");
        Line = new TabLine(tabPlaces, () =>
        {
            Renumber();
            NotifyChanged();
        });
    }

    /// <summary>The tab's own line in front of the shared work queue.</summary>
    public TabLine Line { get; }

    /// <summary>
    /// Gives every photo that has not reached the shared queue its place in the tab's order: those waiting in the tab's
    /// line first, then those still uploading, in the order they were picked.
    /// </summary>
    internal void Renumber()
    {
        var waitingInLine = Line.Waiting;
        foreach (var item in Items)
        {
            if (item.Status != GalleryItemStatus.Uploading && !waitingInLine.Contains(item))
                item.TabPosition = 0;
        }
        int place = 0;
        foreach (var waiting in waitingInLine)
            waiting.TabPosition = ++place;
        foreach (var uploading in Items.Where(i => i.Status == GalleryItemStatus.Uploading).OrderBy(i => i.Sequence))
            uploading.TabPosition = ++place;
    }

    /// <summary>Ends every upload still in progress: the page that was sending them is gone (the tab reloaded).</summary>
    internal bool InterruptUploads()
    {
        bool any = false;
        foreach (var item in Items)
            any |= item.Interrupt();
        if (any)
            Renumber();
        return any;
    }

    /// <summary>The id, or null for a gallery that is never kept (a page that has not told its id yet).</summary>
    public string? Id { get; }

    /// <summary>
    /// The id in its items' preview URLs: <see cref="Id"/>, or for a gallery that has none a random one of the same
    /// form (32 hex digits), known only to the page showing it.
    /// </summary>
    public string PreviewKey { get; }

    private readonly List<GalleryItem> _items = [];

    /// <summary>
    /// A snapshot of the items, the newest drop first and each drop in the order its files were picked (safe to
    /// enumerate while another thread adds or removes).
    /// </summary>
    public IReadOnlyList<GalleryItem> Items
    {
        get
        {
            lock (_lock)
                return [.. _items];
        }
    }

    /// <summary>Puts <paramref name="items"/> first, in their order.</summary>
    public void AddFirst(params IReadOnlyList<GalleryItem> items)
    {
        foreach (var item in items)
            item.GalleryKey = PreviewKey;
        lock (_lock)
            _items.InsertRange(0, items);
    }

    /// <summary>The item whose id is exactly <paramref name="itemId"/>, or null.</summary>
    public GalleryItem? Find(string itemId)
    {
        lock (_lock)
            return _items.FirstOrDefault(i => string.Equals(i.Id, itemId, StringComparison.Ordinal));
    }

    /// <summary>Takes an item out (the caller disposes it); false if it was not there.</summary>
    public bool Remove(GalleryItem item)
    {
        lock (_lock)
            return _items.Remove(item);
    }

    /// <summary>Takes every item out, for another gallery to adopt.</summary>
    internal IReadOnlyList<GalleryItem> TakeAll()
    {
        lock (_lock)
        {
            var all = _items.ToList();
            _items.Clear();
            return all;
        }
    }

    /// <summary>Raised when anything in the gallery changes, for every page showing it.</summary>
    public event Action? Changed;

    internal DateTime DetachedAtUtc { get; private set; }

    internal bool IsAttached
    {
        get
        {
            lock (_lock)
                return _attached > 0;
        }
    }

    /// <summary>Tells every page showing the gallery to render again.</summary>
    public void NotifyChanged() => Changed?.Invoke();

    internal void Attach()
    {
        lock (_lock)
            _attached++;
    }

    internal void Detach(DateTime nowUtc)
    {
        lock (_lock)
        {
            _attached = Math.Max(0, _attached - 1);
            if (_attached == 0)
                DetachedAtUtc = nowUtc;
        }
    }

    /// <summary>Cancels every item's work and frees its buffers.</summary>
    public void Dispose()
    {
        foreach (var item in TakeAll())
            item.Dispose();
    }
}

/// <summary>
/// The galleries of the app, by id. A page attaches to its tab's gallery when it starts and detaches when its circuit
/// ends; a gallery nobody shows is freed after <see cref="GalleryOptions.KeepAfterDisconnect"/>.
/// </summary>
public sealed partial class GalleryStore : IDisposable
{
    private readonly ConcurrentDictionary<string, Gallery> _galleries = new();
    // Galleries of pages that have not named theirs yet (never kept), by their preview key: their previews are served too.
    private readonly ConcurrentDictionary<string, Gallery> _unnamed = new();
    private readonly Lock _lock = new();
    private readonly IOptions<GalleryOptions> _options;
    private readonly TimeProvider _clock;
    private readonly Storage.GalleryStorage? _storage;
    private readonly ILogger<GalleryStore>? _logger;

    /// <summary>Creates the store, over <paramref name="storage"/> when galleries are kept on disk.</summary>
    public GalleryStore(IOptions<GalleryOptions> options, TimeProvider clock, Storage.GalleryStorage? storage = null, ILogger<GalleryStore>? logger = null)
    {
        _options = options;
        _clock = clock;
        _storage = storage;
        _logger = logger;
        // The disk never deletes a gallery memory still holds (a closed tab's, within KeepAfterDisconnect).
        storage?.HeldBy(Holds);
    }

    /// <summary>Where galleries are written, or null when they are kept in memory only (tests).</summary>
    internal Storage.GalleryStorage? Storage => _storage;

    /// <summary>The most bytes of photos, network outputs and previews not yet written held in memory across all galleries.</summary>
    public long MemoryBudget => _options.Value.MemoryBudget;

    /// <summary>The bytes of photos, network outputs and previews not yet written all kept galleries hold in memory now.</summary>
    public long MemoryInUse => _galleries.Values.SelectMany(g => g.Items).Sum(i => i.MemoryBytes);

    /// <summary>
    /// Keeps the photos in memory within <see cref="GalleryOptions.MemoryBudget"/>: while over it, the least recently
    /// used photos that are kept on disk and idle are dropped from memory (their cards keep their previews; the photo
    /// is read back when next needed). Returns the bytes freed.
    /// </summary>
    public long Trim()
    {
        var items = _galleries.Values.SelectMany(g => g.Items).ToList();
        // Previews not yet written to disk count too, but only photos can be dropped (previews go once written).
        long inUse = items.Sum(i => i.MemoryBytes), freed = 0;
        foreach (var item in items.Where(i => i.IsLoaded).OrderBy(i => i.LastUsed))
        {
            if (inUse - freed <= MemoryBudget)
                break;
            freed += item.TryUnload();
        }
        if (freed > 0)
            _logger?.LogDebug("Gallery memory over its budget: {Freed} bytes of photos dropped (read back from disk when shown)", freed);
        return freed;
    }

    /// <summary>The most images one gallery holds (<see cref="GalleryOptions.MaxItems"/>).</summary>
    public int MaxItems => _options.Value.MaxItems;

    /// <summary>How many galleries are kept (shown or waiting for their page to come back).</summary>
    public int Count => _galleries.Count;

    /// <summary>How many images all kept galleries hold.</summary>
    public int ItemCount => _galleries.Values.Sum(g => g.Items.Count);

    /// <summary>True for an id a tab may use: 32 lower-case hex digits (random, so not guessable).</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>The gallery with <paramref name="id"/>, created if new, attached to one more page.</summary>
    public Gallery Attach(string id)
    {
        if (!IsValidId(id))
            throw new ArgumentException("A gallery id is 32 lower-case hex digits.", nameof(id));
        Gallery gallery;
        bool created = false;
        lock (_lock)
        {
            gallery = _galleries.GetOrAdd(id, key =>
            {
                created = true;
                return new Gallery(key);
            });
            gallery.Attach();
        }
        if (_storage is not null)
        {
            // A gallery not in memory (closed long ago, or before a restart) comes back from disk: its cards with their
            // previews, settings and hints at once; each photo is read back when it is next needed.
            try
            {
                if (created)
                {
                    GalleryItem[] loaded = [.. _storage.Load(id).Select(stored => FromStored(stored.Item, stored.Previews)).OfType<GalleryItem>()];
                    gallery.AddFirst(loaded);
                    // Records of the previous version held their previews as data URLs: written into the previews table
                    // now, so memory lets go of them.
                    foreach (var item in loaded.Where(i => i.KeptPreviews.Any(p => p.Image is { IsOnDisk: false })))
                        _ = RewritePreviewsAsync(_storage, id, item);
                }
                _storage.SetDetached(id, detached: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                // The page opens with what memory holds; the disk is logged, not the tab's problem.
                _logger?.LogWarning(ex, "The gallery storage could not be read for a reloaded tab; it opens without its kept photos");
            }
        }
        return gallery;
    }

    private async Task RewritePreviewsAsync(Storage.GalleryStorage storage, string galleryId, GalleryItem item)
    {
        try
        {
            // Past a disk quota now that its previews count: it lives on in memory, and its card says why.
            item.NotKept = await storage.UpdateAsync(galleryId, item);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
        {
            // They stay in memory (and in the budget) until the next write of the photo.
            _logger?.LogWarning(ex, "A kept photo's previews could not be rewritten into the gallery storage");
        }
    }

    // One bad record (a hint list or palette that no longer validates) costs its own card, not the tab.
    private GalleryItem? FromStored(Storage.StoredGalleryItem stored, Storage.StoredPreviews previews)
    {
        try
        {
            return GalleryItem.FromStored(stored, previews);
        }
        catch (Exception ex) when (ex is ArgumentException or ColorizerException or System.Text.Json.JsonException)
        {
            _logger?.LogWarning(ex, "A kept photo's record could not be used; the card is left out");
            return null;
        }
    }

    /// <summary>Makes an unnamed gallery's previews reachable by its <see cref="Gallery.PreviewKey"/> while its page shows it.</summary>
    internal void ShowUnnamed(Gallery gallery) => _unnamed[gallery.PreviewKey] = gallery;

    /// <summary>Forgets an unnamed gallery (its page named it, or closed).</summary>
    internal void ForgetUnnamed(Gallery gallery) => _unnamed.TryRemove(gallery.PreviewKey, out _);

    /// <summary>
    /// The item <paramref name="itemId"/> of the gallery whose preview key is <paramref name="galleryKey"/> (exactly),
    /// in memory; null for any other pair, so one gallery's ids never reach another's photos.
    /// </summary>
    internal GalleryItem? FindItem(string galleryKey, string itemId)
    {
        if (!IsValidId(galleryKey))
            return null;
        var gallery = _galleries.TryGetValue(galleryKey, out var named) ? named : _unnamed.TryGetValue(galleryKey, out var unnamed) ? unnamed : null;
        return gallery?.Find(itemId);
    }

    /// <summary>True while the gallery is in memory (shown, or closed for less than <see cref="GalleryOptions.KeepAfterDisconnect"/>): the disk keeps it then.</summary>
    internal bool Holds(string id) => _galleries.ContainsKey(id);

    /// <summary>Detaches a page; the gallery is kept for a while, then freed by <see cref="Sweep"/>.</summary>
    public void Detach(Gallery gallery)
    {
        bool closed;
        lock (_lock)
        {
            gallery.Detach(_clock.GetUtcNow().UtcDateTime);
            closed = !gallery.IsAttached;
        }
        if (_storage is not null && gallery.Id is { } id && closed)
        {
            try
            {
                _storage.SetDetached(id, detached: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or ObjectDisposedException)
            {
                _logger?.LogWarning(ex, "A closed gallery could not be recorded as closed; it expires from the next start on");
            }
        }
        Sweep();
    }

    /// <summary>
    /// Frees from memory the galleries no page has shown for longer than allowed, and the oldest beyond the count limit
    /// (those kept on disk stay there, for a later reload).
    /// </summary>
    public int Sweep()
    {
        var settings = _options.Value;
        var now = _clock.GetUtcNow().UtcDateTime;
        var expired = new List<Gallery>();
        lock (_lock)
        {
            var detached = _galleries.Values.Where(g => !g.IsAttached).OrderBy(g => g.DetachedAtUtc).ToList();
            int excess = Math.Max(0, detached.Count - settings.MaxDetached);
            foreach (var (gallery, index) in detached.Select((g, i) => (g, i)))
            {
                if (index < excess || now - gallery.DetachedAtUtc >= settings.KeepAfterDisconnect)
                {
                    _galleries.TryRemove(gallery.Id!, out _);
                    expired.Add(gallery);
                }
            }
        }
        foreach (var gallery in expired)
            gallery.Dispose();
        return expired.Count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var gallery in _galleries.Values)
            gallery.Dispose();
        _galleries.Clear();
    }

    [GeneratedRegex(@"\A[0-9a-f]{32}\z")]
    private static partial Regex IdPattern();
}

/// <summary>
/// Sweeps the gallery storage of what a crash left at start, then the <see cref="GalleryStore"/> every minute, so closed
/// tabs' galleries are freed from memory on time and from disk when they expire.
/// </summary>
internal sealed class GallerySweeper(GalleryStore store, ILogger<GallerySweeper> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (store.Storage is { } storage)
        {
            int removed = storage.Sweep(leftovers: true);
            logger.LogInformation("Gallery storage at {Folder}{Swept}", storage.Root, removed > 0 ? $": {removed} leftover file(s) or record(s) swept" : "");
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // A failed pass (a full disk, a file the app may not delete) is logged and tried again; it must not stop the app.
                try
                {
                    store.Sweep();
                    store.Trim();
                    if (store.Storage is { } storage)
                    {
                        int removed = storage.Sweep();
                        if (removed > 0)
                            logger.LogInformation("Gallery storage: {Removed} expired gallery(ies) or leftover(s) removed", removed);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
                {
                    logger.LogWarning(ex, "A sweep of the galleries failed; the next one tries again");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
