using System.Text.Json;
using System.Text.Json.Serialization;
using Colorizer.Web.Hosting;
using Microsoft.Data.Sqlite;

namespace Colorizer.Web.Colorization.Storage;

/// <summary>
/// The galleries' index on disk: one SQLite database (<c>galleries.db</c> in the storage folder), a row per gallery
/// and per kept photo. A photo's row is written only after its files are whole on disk, and its files are deleted
/// only after its row, so a crash at any moment leaves every photo whole or absent (files no row names are swept at
/// start). Thread-safe (one connection, locked).
/// </summary>
internal sealed class GalleryIndex : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS galleries (
            id TEXT PRIMARY KEY NOT NULL,
            detached_at INTEGER NULL
        );
        CREATE TABLE IF NOT EXISTS items (
            gallery_id TEXT NOT NULL REFERENCES galleries(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            bytes INTEGER NOT NULL,
            record TEXT NOT NULL,
            previews TEXT NOT NULL,
            PRIMARY KEY (gallery_id, id)
        );
        CREATE TABLE IF NOT EXISTS previews (
            gallery_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            version TEXT NOT NULL,
            content_type TEXT NOT NULL,
            bytes BLOB NOT NULL,
            PRIMARY KEY (gallery_id, item_id, kind),
            FOREIGN KEY (gallery_id, item_id) REFERENCES items(gallery_id, id) ON DELETE CASCADE
        );
        PRAGMA user_version=2;
        """;

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private bool _disposed;

    private GalleryIndex(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens (creating when missing) the index at <paramref name="path"/>.</summary>
    public static GalleryIndex Open(string path)
    {
        var connection = EmbeddedDatabase.Open(path, Schema);
        EmbeddedDatabase.Execute(connection, "PRAGMA foreign_keys=ON;");
        return new GalleryIndex(connection);
    }

    /// <summary>Records a gallery as shown (null) or closed since <paramref name="detachedAt"/>.</summary>
    public void SetDetached(string galleryId, DateTimeOffset? detachedAt) => Write(transaction =>
    {
        using var command = Command("""
            INSERT INTO galleries (id, detached_at) VALUES ($id, $at)
            ON CONFLICT(id) DO UPDATE SET detached_at = excluded.detached_at
            """, transaction);
        command.Parameters.AddWithValue("$id", galleryId);
        command.Parameters.AddWithValue("$at", detachedAt is { } at ? at.ToUnixTimeMilliseconds() : DBNull.Value);
        command.ExecuteNonQuery();
    });

    /// <summary>
    /// Records a photo (inserted or replaced) in one transaction, with its gallery and its previews: each given one whose
    /// bytes memory holds is written, each absent one deleted (those only on disk already stay as they are).
    /// </summary>
    public void Save(string galleryId, StoredGalleryItem item, IReadOnlyList<(PreviewKind Kind, PreviewImage? Image)> previews) => Write(transaction =>
    {
        using (var gallery = Command("INSERT OR IGNORE INTO galleries (id, detached_at) VALUES ($id, NULL)", transaction))
        {
            gallery.Parameters.AddWithValue("$id", galleryId);
            gallery.ExecuteNonQuery();
        }
        // An upsert, not a replace: the row stays, and so do its previews on disk that have not changed.
        using (var command = Command("""
            INSERT INTO items (gallery_id, id, sequence, bytes, record, previews)
            VALUES ($gallery, $id, $sequence, $bytes, $record, $previews)
            ON CONFLICT(gallery_id, id) DO UPDATE SET sequence = excluded.sequence, bytes = excluded.bytes,
                record = excluded.record, previews = excluded.previews
            """, transaction))
        {
            BindItem(command, galleryId, item);
            command.ExecuteNonQuery();
        }
        WritePreviews(transaction, galleryId, item.Id, previews);
    });

    /// <summary>Rewrites a photo's record and previews when its row is there; false (nothing written) when it is not.</summary>
    public bool Update(string galleryId, StoredGalleryItem item, IReadOnlyList<(PreviewKind Kind, PreviewImage? Image)> previews)
    {
        bool updated = false;
        Write(transaction =>
        {
            using var command = Command("""
                UPDATE items SET sequence = $sequence, bytes = $bytes, record = $record, previews = $previews
                WHERE gallery_id = $gallery AND id = $id
                """, transaction);
            BindItem(command, galleryId, item);
            updated = command.ExecuteNonQuery() > 0;
            if (updated)
                WritePreviews(transaction, galleryId, item.Id, previews);
        });
        return updated;
    }

    private void WritePreviews(SqliteTransaction transaction, string galleryId, string itemId, IReadOnlyList<(PreviewKind Kind, PreviewImage? Image)> previews)
    {
        foreach (var (kind, image) in previews)
        {
            if (image is null)
            {
                using var delete = Command("DELETE FROM previews WHERE gallery_id = $gallery AND item_id = $item AND kind = $kind", transaction);
                delete.Parameters.AddWithValue("$gallery", galleryId);
                delete.Parameters.AddWithValue("$item", itemId);
                delete.Parameters.AddWithValue("$kind", PreviewImage.UrlName(kind));
                delete.ExecuteNonQuery();
                continue;
            }
            // Only on disk already: that row is this very preview.
            if (image.Bytes is not { } bytes)
                continue;
            using var insert = Command("""
                INSERT OR REPLACE INTO previews (gallery_id, item_id, kind, version, content_type, bytes)
                VALUES ($gallery, $item, $kind, $version, $type, $bytes)
                """, transaction);
            insert.Parameters.AddWithValue("$gallery", galleryId);
            insert.Parameters.AddWithValue("$item", itemId);
            insert.Parameters.AddWithValue("$kind", PreviewImage.UrlName(kind));
            insert.Parameters.AddWithValue("$version", image.Version);
            insert.Parameters.AddWithValue("$type", image.ContentType);
            insert.Parameters.AddWithValue("$bytes", bytes);
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>A kept preview's bytes when the row holds that version, else null.</summary>
    public byte[]? ReadPreview(string galleryId, string itemId, PreviewKind kind, string version)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("SELECT bytes FROM previews WHERE gallery_id = $gallery AND item_id = $item AND kind = $kind AND version = $version");
            command.Parameters.AddWithValue("$gallery", galleryId);
            command.Parameters.AddWithValue("$item", itemId);
            command.Parameters.AddWithValue("$kind", PreviewImage.UrlName(kind));
            command.Parameters.AddWithValue("$version", version);
            return command.ExecuteScalar() as byte[];
        }
    }

    // The parameters an item's row is written with, for the insert and the update alike. The previews column held
    // data URLs before previews had a table of their own; it is written empty now, and read only for older rows.
    private static void BindItem(SqliteCommand command, string galleryId, StoredGalleryItem item)
    {
        command.Parameters.AddWithValue("$gallery", galleryId);
        command.Parameters.AddWithValue("$id", item.Id);
        command.Parameters.AddWithValue("$sequence", item.Sequence);
        command.Parameters.AddWithValue("$bytes", item.Bytes);
        command.Parameters.AddWithValue("$record", JsonSerializer.Serialize(item, Json));
        command.Parameters.AddWithValue("$previews", "{}");
    }

    /// <summary>Records every gallery recorded as shown as closed at <paramref name="now"/> (after a crash, none is shown).</summary>
    public void CloseAllOpen(DateTimeOffset now) => Write(transaction =>
    {
        using var command = Command("UPDATE galleries SET detached_at = $at WHERE detached_at IS NULL", transaction);
        command.Parameters.AddWithValue("$at", now.ToUnixTimeMilliseconds());
        command.ExecuteNonQuery();
    });

    /// <summary>Forgets a photo; false when it was not recorded.</summary>
    public bool Delete(string galleryId, string itemId)
    {
        bool deleted = false;
        Write(transaction =>
        {
            using var command = Command("DELETE FROM items WHERE gallery_id = $gallery AND id = $id", transaction);
            command.Parameters.AddWithValue("$gallery", galleryId);
            command.Parameters.AddWithValue("$id", itemId);
            deleted = command.ExecuteNonQuery() > 0;
        });
        return deleted;
    }

    /// <summary>Forgets a gallery and its photos.</summary>
    public void DeleteGallery(string galleryId) => Write(transaction =>
    {
        using var command = Command("DELETE FROM galleries WHERE id = $id", transaction);
        command.Parameters.AddWithValue("$id", galleryId);
        command.ExecuteNonQuery();
    });

    /// <summary>
    /// The photos of a gallery, newest pick first as the page shows them. A row that cannot be read is skipped and
    /// reported to <paramref name="unreadable"/>.
    /// </summary>
    public IReadOnlyList<(StoredGalleryItem Item, StoredPreviews Previews)> Load(string galleryId, Action<string, Exception>? unreadable = null)
    {
        var items = new List<(StoredGalleryItem, StoredPreviews)>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var images = new Dictionary<string, Dictionary<PreviewKind, PreviewImage>>(StringComparer.Ordinal);
            using (var previews = Command("SELECT item_id, kind, version, content_type, length(bytes) FROM previews WHERE gallery_id = $gallery"))
            {
                previews.Parameters.AddWithValue("$gallery", galleryId);
                using var rows = previews.ExecuteReader();
                while (rows.Read())
                {
                    if (PreviewImage.ParseUrlName(rows.GetString(1)) is not { } kind)
                        continue;
                    string item = rows.GetString(0);
                    if (!images.TryGetValue(item, out var kinds))
                        images[item] = kinds = [];
                    kinds[kind] = PreviewImage.OnDiskOnly(rows.GetString(3), rows.GetString(2), rows.GetInt32(4));
                }
            }
            using var command = Command("SELECT id, record, previews FROM items WHERE gallery_id = $gallery ORDER BY sequence DESC");
            command.Parameters.AddWithValue("$gallery", galleryId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                string id = reader.GetString(0);
                try
                {
                    var item = JsonSerializer.Deserialize<StoredGalleryItem>(reader.GetString(1), Json);
                    var previews = JsonSerializer.Deserialize<StoredPreviews>(reader.GetString(2), Json);
                    if (item is null || previews is null || item.Id != id)
                        throw new JsonException("The record is empty or for another id.");
                    items.Add((item, previews with { Images = images.GetValueOrDefault(id) ?? [] }));
                }
                catch (JsonException ex)
                {
                    unreadable?.Invoke(id, ex);
                }
            }
        }
        return items;
    }

    /// <summary>
    /// Every gallery with the bytes it has written (its photos' files and their previews in this index) and when it was
    /// closed (null while shown).
    /// </summary>
    public IReadOnlyList<(string Id, DateTimeOffset? DetachedAt, long Bytes, int Items)> Galleries()
    {
        var galleries = new List<(string, DateTimeOffset?, long, int)>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("""
                SELECT g.id, g.detached_at,
                    COALESCE((SELECT SUM(i.bytes) FROM items i WHERE i.gallery_id = g.id), 0)
                        + COALESCE((SELECT SUM(length(p.bytes)) FROM previews p WHERE p.gallery_id = g.id), 0),
                    (SELECT COUNT(*) FROM items i WHERE i.gallery_id = g.id)
                FROM galleries g
                """);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                DateTimeOffset? at = reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1));
                galleries.Add((reader.GetString(0), at, reader.GetInt64(2), reader.GetInt32(3)));
            }
        }
        return galleries;
    }

    /// <summary>The bytes one photo has written (its files and its previews in this index); 0 when it is not recorded.</summary>
    public long ItemBytes(string galleryId, string itemId)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("""
                SELECT COALESCE((SELECT bytes FROM items WHERE gallery_id = $gallery AND id = $item), 0)
                    + COALESCE((SELECT SUM(length(bytes)) FROM previews WHERE gallery_id = $gallery AND item_id = $item), 0)
                """);
            command.Parameters.AddWithValue("$gallery", galleryId);
            command.Parameters.AddWithValue("$item", itemId);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private void Write(Action<SqliteTransaction> work)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction();
            work(transaction);
            transaction.Commit();
        }
    }

    private SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            _connection.Dispose();
        }
    }
}
