using System.Text.Json;
using System.Text.Json.Serialization;
using Colorizer.Web.Hosting;
using Microsoft.Data.Sqlite;

namespace Colorizer.Web.Video;

/// <summary>
/// The video jobs on disk: one SQLite database (<c>jobs.db</c> in the storage folder) with a row per job. A row is
/// written only after the job's upload is whole in its folder, and a folder is deleted only after its row, so a crash
/// at any moment leaves every job whole or absent (folders no row names are swept at start). Thread-safe (one
/// connection, locked).
/// </summary>
internal sealed class VideoJobIndex : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        // Never throw on a non-finite measure: a row must always be writable.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS jobs (
            id TEXT PRIMARY KEY NOT NULL,
            sequence INTEGER NOT NULL,
            record TEXT NOT NULL
        );
        PRAGMA user_version=1;
        """;

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private bool _disposed;

    private VideoJobIndex(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens (creating when missing) the index at <paramref name="path"/>.</summary>
    public static VideoJobIndex Open(string path) => new(EmbeddedDatabase.Open(path, Schema));

    /// <summary>Records a new job.</summary>
    public void Insert(StoredVideoJob job) => Run("INSERT INTO jobs (id, sequence, record) VALUES ($id, $sequence, $record)", job);

    /// <summary>Rewrites a job's record; false (nothing written) when its row is gone (the job was deleted).</summary>
    public bool Update(StoredVideoJob job) => Run("UPDATE jobs SET sequence = $sequence, record = $record WHERE id = $id", job) > 0;

    /// <summary>Forgets a job; false when it was not recorded.</summary>
    public bool Delete(string id)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM jobs WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery() > 0;
        }
    }

    /// <summary>
    /// Every job, in order of arrival. A row that cannot be read is reported to <paramref name="unreadable"/> and
    /// deleted (nothing could show it or carry it on).
    /// </summary>
    public IReadOnlyList<StoredVideoJob> Load(Action<string, Exception>? unreadable = null)
    {
        var jobs = new List<StoredVideoJob>();
        var bad = new List<string>();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using (var command = _connection.CreateCommand())
            {
                command.CommandText = "SELECT id, record FROM jobs ORDER BY sequence";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    string id = reader.GetString(0);
                    try
                    {
                        var job = JsonSerializer.Deserialize<StoredVideoJob>(reader.GetString(1), Json);
                        if (job is null || job.Snapshot.Id != id || !VideoJobIds.IsWellFormed(id) || !VideoStorage.IsFolderName(job.Folder) ||
                            !IsInputName(job.InputName) || job.Snapshot.Settings is null)
                            throw new JsonException("The record is empty, for another id or names a path outside its folder.");
                        job.Snapshot.Settings.Validate();
                        jobs.Add(job);
                    }
                    catch (Exception ex) when (ex is JsonException or NotSupportedException or Core.ColorizerException or ArgumentException)
                    {
                        unreadable?.Invoke(id, ex);
                        bad.Add(id);
                    }
                }
            }
        }
        foreach (string id in bad)
            Delete(id);
        return jobs;
    }

    // Only a name CreateAsync makes ("original" and a video extension, in lower case): "..", "" or the result's own
    // name would pass a file-name check yet point at the jobs' folder, the job's folder or the file the run writes.
    private static bool IsInputName(string? name) =>
        name is not null && Core.Video.VideoFiles.Extensions.Any(extension => string.Equals(name, "original" + extension, StringComparison.Ordinal));

    private int Run(string sql, StoredVideoJob job)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$id", job.Snapshot.Id);
            command.Parameters.AddWithValue("$sequence", job.Sequence);
            command.Parameters.AddWithValue("$record", JsonSerializer.Serialize(job, Json));
            return command.ExecuteNonQuery();
        }
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
