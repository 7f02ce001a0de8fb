using Microsoft.Data.Sqlite;

namespace Colorizer.Web.Hosting;

/// <summary>
/// Opens the app's embedded SQLite databases the one way they are all used: write-ahead log with full sync (a killed
/// process or a power cut leaves every transaction whole or absent), a busy timeout, no pooling (disposing the
/// connection closes the file, so its folder can be moved or deleted after a stop), and the schema created in one
/// transaction.
/// </summary>
internal static class EmbeddedDatabase
{
    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> and runs <paramref name="schema"/> in a transaction.</summary>
    public static SqliteConnection Open(string path, string schema)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL;");
            Execute(connection, "PRAGMA synchronous=FULL;");
            Execute(connection, "PRAGMA busy_timeout=5000;");
            using var transaction = connection.BeginTransaction();
            Execute(connection, schema, transaction);
            transaction.Commit();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs a statement that returns nothing.</summary>
    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
