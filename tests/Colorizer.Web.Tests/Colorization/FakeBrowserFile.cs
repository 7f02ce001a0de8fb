using Microsoft.AspNetCore.Components.Forms;

namespace Colorizer.Web.Tests.Colorization;

/// <summary>
/// A file as the page's upload hands it over, with a stream that can stop sending part-way (as a reloaded or closed
/// tab's does): after <paramref name="sendBeforeStall"/> bytes it waits until its read is cancelled.
/// </summary>
internal sealed class FakeBrowserFile(string name, byte[] content, long sendBeforeStall = long.MaxValue) : IBrowserFile
{
    public string Name => name;

    public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;

    public long Size => content.Length;

    public string ContentType => "application/octet-stream";

    /// <summary>How many times the stream was opened.</summary>
    public int Opened { get; private set; }

    public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default)
    {
        if (Size > maxAllowedSize)
            throw new IOException($"Supplied file with size {Size} bytes exceeds the maximum of {maxAllowedSize} bytes.");
        Opened++;
        return new StallingStream(content, sendBeforeStall);
    }

    private sealed class StallingStream(byte[] content, long sendBeforeStall) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => content.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= sendBeforeStall)
                await Task.Delay(Timeout.Infinite, cancellationToken);
            // Small chunks, as the circuit sends them, so progress moves in steps.
            int n = (int)Math.Min(Math.Min(buffer.Length, 4096), Math.Min(content.Length, sendBeforeStall) - _position);
            content.AsMemory((int)_position, n).CopyTo(buffer);
            _position += n;
            await Task.Yield();
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Reads are asynchronous, as the browser's are.");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
