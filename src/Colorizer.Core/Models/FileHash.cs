using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;

namespace Colorizer.Core.Models;

/// <summary>
/// Hashes of files on disk, in lowercase hex: SHA-256 as <see cref="WeightsRelease.Sha256"/> uses, and zlib's CRC-32
/// as the ONNX models' <c>.hash</c> files publish it (eight digits).
/// </summary>
public static class FileHash
{
    private const int BufferSize = 1 << 16;

    /// <summary>Computes the SHA-256 of a whole file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>64 lowercase hex digits.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static async Task<string> ComputeSha256Async(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        await using var stream = new FileStream(
            path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Computes zlib's CRC-32 of a whole file.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>8 lowercase hex digits, as <c>format(crc32, '08x')</c> writes them.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string ComputeCrc32(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        var crc = new Crc32();
        crc.Append(stream);
        return Crc32Text(crc.GetCurrentHashAsUInt32());
    }

    /// <summary>A CRC-32 in the published form: 8 lowercase hex digits.</summary>
    internal static string Crc32Text(uint value) => value.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Feeds the first <paramref name="length"/> bytes of <paramref name="stream"/> (from position 0) to <paramref name="hash"/>.</summary>
    internal static async Task AppendPrefixAsync(ContentHash hash, Stream stream, long length, CancellationToken cancellationToken)
    {
        stream.Position = 0;
        byte[] buffer = new byte[BufferSize];
        long left = length;
        while (left > 0)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException($"Expected {length} bytes, the stream ended after {length - left}.");
            }

            hash.Append(buffer, 0, read);
            left -= read;
        }
    }
}
