using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Colorizer.Web.Api;

/// <summary>The <c>file</c> part of a <c>POST /api/videos</c> form, not yet read: its name and a stream of its bytes.</summary>
/// <param name="FileName">The name the client gave it (untrusted: only its extension is used, and it is shown).</param>
/// <param name="Content">The part's bytes as they arrive; reading it reads the request.</param>
internal sealed record VideoUpload(string FileName, Stream Content);

/// <summary>
/// Finds the <c>file</c> part of a multipart/form-data request without buffering it: a video of hundreds of megabytes
/// streams from the request to the job's storage. Fields before it are skipped. Every way the form can be broken,
/// before the part or while it streams, becomes <see cref="InvalidUploadException"/> (400), and a body over the
/// request's size limit <see cref="UploadTooLargeException"/> (413).
/// </summary>
internal static class VideoUploadReader
{
    private const string HowToSend = "Send the video as multipart/form-data in a file field named 'file' (for example: curl -F file=@film.mp4 ...).";

    /// <summary>The longest multipart boundary allowed (RFC 2046).</summary>
    private const int MaxBoundaryLength = 70;

    /// <summary>Reads up to the <c>file</c> part; <paramref name="maxBytes"/> is the limit a too-large body is reported with.</summary>
    public static async Task<VideoUpload> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            string got = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{UploadReader.Shorten(request.ContentType)}'";
            throw new InvalidUploadException($"The request has {got}. {HowToSend}");
        }
        string boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value ?? "";
        if (boundary.Length is 0 or > MaxBoundaryLength)
            throw new InvalidUploadException($"The multipart form has no valid boundary. {HowToSend}");

        var reader = new MultipartReader(boundary, request.Body);
        var fields = new List<string>();
        while (true)
        {
            var section = await Guard(() => reader.ReadNextSectionAsync(ct), maxBytes, ct);
            if (section is null)
            {
                string what = fields.Count > 0
                    ? $"It has no field named 'file' (its fields: {string.Join(", ", fields.Distinct().Take(5).Select(f => $"'{UploadReader.Shorten(f)}'"))})."
                    : "It has no file field named 'file'.";
                throw new InvalidUploadException($"The request carries no video. {what} {HowToSend}");
            }
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                throw new InvalidUploadException($"A part of the multipart form has no form-data Content-Disposition. {HowToSend}");
            string name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
            if (name == UploadReader.FieldName)
            {
                if (!disposition.IsFileDisposition())
                    throw new InvalidUploadException($"The request carries no video. Its field 'file' holds text, not a file. {HowToSend}");
                string fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                return new VideoUpload(fileName, new GuardedStream(section.Body, maxBytes));
            }
            fields.Add(name);
            // Another field (the options are query parameters): read past it. The request's size limit bounds it.
            await Guard(async () =>
            {
                await section.Body.CopyToAsync(Stream.Null, ct);
                return true;
            }, maxBytes, ct);
        }
    }

    private static async Task<T> Guard<T>(Func<Task<T>> read, long maxBytes, CancellationToken ct)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (Translate(ex, maxBytes, ct) is { } translated)
        {
            throw translated;
        }
    }

    // The failures of reading the request (not of writing the file), as the API's upload exceptions.
    private static Exception? Translate(Exception ex, long maxBytes, CancellationToken ct) => ex switch
    {
        // Kestrel's MaxRequestBodySize, from the Content-Length at once or while a chunked body streams in.
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => new UploadTooLargeException(maxBytes, ex),
        InvalidDataException => new InvalidUploadException($"The multipart form could not be read: {ex.Message} {HowToSend}", ex),
        // The body ended before the part's closing boundary.
        IOException when !ct.IsCancellationRequested => new InvalidUploadException($"The multipart form is incomplete: {ex.Message} {HowToSend}", ex),
        _ => null,
    };

    /// <summary>The file part's bytes, with the request's read failures turned into the API's upload exceptions.</summary>
    private sealed class GuardedStream(Stream inner, long maxBytes) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (Exception ex) when (Translate(ex, maxBytes, CancellationToken.None) is { } translated)
            {
                throw translated;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception ex) when (Translate(ex, maxBytes, cancellationToken) is { } translated)
            {
                throw translated;
            }
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
