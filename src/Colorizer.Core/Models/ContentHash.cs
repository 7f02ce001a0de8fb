using System.IO.Hashing;
using System.Security.Cryptography;

namespace Colorizer.Core.Models;

/// <summary>
/// The hash a download is checked with: SHA-256 (the 2016 weights, whose release states it) or zlib's CRC-32 (the
/// ONNX models, whose <c>.hash</c> files publish it). Fed incrementally, so a resumed download hashes the bytes on
/// disk first.
/// </summary>
internal sealed class ContentHash : IDisposable
{
    private readonly IncrementalHash? _sha256;
    private readonly Crc32? _crc32;

    private ContentHash(IncrementalHash? sha256, Crc32? crc32)
    {
        _sha256 = sha256;
        _crc32 = crc32;
    }

    /// <summary>A SHA-256.</summary>
    public static ContentHash Sha256() => new(IncrementalHash.CreateHash(HashAlgorithmName.SHA256), null);

    /// <summary>zlib's CRC-32.</summary>
    public static ContentHash Crc32() => new(null, new Crc32());

    /// <summary>The algorithm's name as messages write it.</summary>
    public string Name => _sha256 is not null ? "SHA-256" : "CRC-32";

    /// <summary>Feeds bytes.</summary>
    public void Append(byte[] buffer, int offset, int count)
    {
        if (_sha256 is not null)
            _sha256.AppendData(buffer, offset, count);
        else
            _crc32!.Append(buffer.AsSpan(offset, count));
    }

    /// <summary>The hash of what was fed, in lowercase hex, and a fresh start.</summary>
    public string Finish()
    {
        if (_sha256 is not null)
            return Convert.ToHexStringLower(_sha256.GetHashAndReset());
        string text = FileHash.Crc32Text(_crc32!.GetCurrentHashAsUInt32());
        _crc32.Reset();
        return text;
    }

    /// <inheritdoc />
    public void Dispose() => _sha256?.Dispose();
}
