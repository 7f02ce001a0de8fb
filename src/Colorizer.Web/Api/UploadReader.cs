using Colorizer.Core.Guidance;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Colorizer.Web.Api;

/// <summary>An uploaded file, read into memory.</summary>
/// <param name="FileName">The name the client gave it (untrusted: only ever shown or sanitized).</param>
/// <param name="Content">Its bytes.</param>
internal sealed record Upload(string FileName, byte[] Content);

/// <summary>What a <c>POST /api/colorize</c> form carries: the image, and optionally colour hints and a reference photo.</summary>
/// <param name="File">The <c>file</c> field.</param>
/// <param name="Hints">The <c>hints</c> field's text (JSON), or null when absent or blank.</param>
/// <param name="Reference">The <c>reference</c> field, or null when absent.</param>
internal sealed record ColorizeForm(Upload File, string? Hints, Upload? Reference);

/// <summary>
/// Reads the <c>file</c> field of a multipart/form-data request within <c>Upload:MaxFileBytes</c>, and turns every way
/// that can fail into <see cref="InvalidUploadException"/> (400) or <see cref="UploadTooLargeException"/> (413).
/// </summary>
internal static class UploadReader
{
    /// <summary>The form field that carries the image.</summary>
    public const string FieldName = "file";

    /// <summary>The optional form field with colour hints (JSON text, or a small file holding it).</summary>
    public const string HintsFieldName = "hints";

    /// <summary>The optional file field with a colour reference photo.</summary>
    public const string ReferenceFieldName = "reference";

    private const string HowToSend = "Send the image as multipart/form-data in a file field named 'file' (for example: curl -F file=@photo.jpg ...).";

    public static async Task<ColorizeForm> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            string got = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type '{Shorten(request.ContentType)}'";
            throw new InvalidUploadException($"The request has {got}. {HowToSend}");
        }

        IFormCollection form;
        var counter = new CountingReadStream(request.Body);
        request.Body = counter;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's MaxRequestBodySize: from the Content-Length at once, or while a chunked body streams in.
            throw new UploadTooLargeException(maxBytes, ex);
        }
        catch (InvalidDataException ex) when (counter.BytesRead > maxBytes)
        {
            // FormOptions.MultipartBodyLengthLimit: a part grew past the limit. Other form limits (headers, boundary,
            // field count) fail well before that many bytes, so the count tells the two apart without parsing messages.
            throw new UploadTooLargeException(maxBytes, ex);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidUploadException($"The multipart form could not be read: {ex.Message} {HowToSend}", ex);
        }
        catch (IOException ex) when (!ct.IsCancellationRequested)
        {
            // The multipart body ended before its closing boundary.
            throw new InvalidUploadException($"The multipart form is incomplete: {ex.Message} {HowToSend}", ex);
        }
        finally
        {
            request.Body = counter.Inner;
        }

        var file = form.Files.GetFile(FieldName);
        if (file is null)
        {
            string what = form.ContainsKey(FieldName)
                ? "Its field 'file' holds text, not a file."
                : form.Files.Count > 0
                    ? $"It has no field named 'file' (its file fields: {string.Join(", ", form.Files.Select(f => $"'{Shorten(f.Name)}'").Distinct().Take(5))})."
                    : "It has no file field named 'file'.";
            throw new InvalidUploadException($"The request carries no image. {what} {HowToSend}");
        }
        var image = await ReadFileAsync(file, maxBytes, ct);

        Upload? reference = null;
        if (form.Files.GetFile(ReferenceFieldName) is { } referenceFile)
            reference = await ReadFileAsync(referenceFile, maxBytes, ct);
        else if (!StringValues.IsNullOrEmpty(form[ReferenceFieldName]))
            throw new InvalidUploadException($"The field '{ReferenceFieldName}' holds text, not a file. Send the reference photo as a file (for example: curl -F reference=@beach.jpg ...).");

        return new ColorizeForm(image, await ReadHintsAsync(form, ct), reference);
    }

    // The hints as text: a text field (-F hints='[...]' or -F hints=<hints.json), or a file field (-F hints=@hints.json).
    // Longer than HintsJson.MaxBytes is 413: the cap is a size limit like the file's.
    private static async Task<string?> ReadHintsAsync(IFormCollection form, CancellationToken ct)
    {
        string? text;
        if (form.Files.GetFile(HintsFieldName) is { } hintsFile)
        {
            if (hintsFile.Length > HintsJson.MaxBytes)
                throw new UploadTooLargeException(HintsJson.MaxBytes, HintsFieldName);
            using var reader = new StreamReader(hintsFile.OpenReadStream());
            text = await reader.ReadToEndAsync(ct);
        }
        else
        {
            var values = form[HintsFieldName];
            if (values.Count > 1)
                throw new InvalidUploadException($"The field '{HintsFieldName}' is given {values.Count} times; send one JSON list with every hint.");
            text = values.ToString();
        }
        if (text.Length > HintsJson.MaxBytes)
            throw new UploadTooLargeException(HintsJson.MaxBytes, HintsFieldName);
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    private static async Task<Upload> ReadFileAsync(IFormFile file, long maxBytes, CancellationToken ct)
    {
        if (file.Length > maxBytes || file.Length > Array.MaxLength)
            throw new UploadTooLargeException(maxBytes);

        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
            await stream.ReadExactlyAsync(content, ct);
        return new Upload(file.FileName, content);
    }

    /// <summary>Client text quoted in a message, cut to a sensible length.</summary>
    internal static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    /// <summary>Counts the bytes read through it, so a limit failure can be told from a malformed form.</summary>
    private sealed class CountingReadStream(Stream inner) : Stream
    {
        public Stream Inner => inner;

        public long BytesRead { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            BytesRead += read;
            return read;
        }
    }
}
