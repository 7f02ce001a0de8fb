using System.Buffers.Binary;

namespace Colorizer.Core.Imaging;

/// <summary>Walks the marker segments of a JPEG stream up to the start of scan, bounds-checked and never throwing.</summary>
internal static class JpegSegments
{
    /// <summary>
    /// Advances <paramref name="pos"/> (start at 2, just after SOI) to the next segment that has a length field and returns the range of its payload (after the length field).
    /// A segment cut off by the end of the data is returned clipped to what is present. Returns false at SOS, EOI,
    /// the end of the data, or on a malformed length.
    /// </summary>
    public static bool TryNext(ReadOnlySpan<byte> data, ref int pos, out byte marker, out Range payload)
    {
        marker = 0;
        payload = default;
        while (true)
        {
            // Tolerate stray bytes between segments (libjpeg warns and skips them too), then any 0xFF fill bytes.
            while (pos < data.Length && data[pos] != 0xFF)
            {
                pos++;
            }

            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= data.Length)
            {
                return false;
            }

            marker = data[pos++];
            if (marker is 0x00 or 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7))
            {
                continue; // Stuffed zero or a standalone marker without a length.
            }

            if (marker is 0xD9 or 0xDA)
            {
                return false; // EOI or SOS: the header is over.
            }

            if (pos > data.Length - 2)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data.Slice(pos, 2));
            if (length < 2)
            {
                return false;
            }

            var start = pos + 2;
            var available = Math.Min(length - 2, data.Length - start);
            payload = new Range(start, start + available);
            pos = start + available;
            return true;
        }
    }
}
