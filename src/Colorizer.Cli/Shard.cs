using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Colorizer.Cli;

/// <summary>
/// One part of a deterministic split of the inputs (<c>--shard INDEX/COUNT</c>), so that a Kubernetes Indexed Job can
/// spread a large archive over many pods: each file belongs to exactly one shard, decided by a hash of its path, the
/// same on every machine and in every run.
/// </summary>
internal readonly record struct Shard(int Index, int Count)
{
    public static Shard All => new(0, 1);

    /// <summary>Parses <c>INDEX/COUNT</c> with 0 ≤ INDEX &lt; COUNT; null and an error message otherwise.</summary>
    public static Shard? Parse(string text, out string? error)
    {
        error = null;
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
        {
            return new Shard(index, count);
        }
        error = $"--shard must be INDEX/COUNT with 0 <= INDEX < COUNT (e.g. 0/4); got '{text}'.";
        return null;
    }

    /// <summary>True when <paramref name="path"/> (as listed, with '/' separators) belongs to this shard.</summary>
    public bool Contains(string path)
    {
        if (Count == 1)
            return true;
        // SHA-256 rather than string.GetHashCode, which differs between processes.
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(path.Replace('\\', '/')), hash);
        ulong value = BitConverter.ToUInt64(hash);
        return (int)(value % (ulong)Count) == Index;
    }
}
