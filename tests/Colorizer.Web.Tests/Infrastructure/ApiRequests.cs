using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Colorizer.Web.Tests.Infrastructure;

/// <summary>Builds the API's requests and reads its problem responses.</summary>
public static class ApiRequests
{
    /// <summary>A multipart/form-data body with one file part.</summary>
    public static MultipartFormDataContent Form(byte[] file, string fileName = "photo.png", string field = "file", string mediaType = "application/octet-stream")
    {
        var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        form.Add(part, field, fileName);
        return form;
    }

    /// <summary>A form with the image and, when given, a <c>hints</c> text field and a <c>reference</c> file.</summary>
    public static MultipartFormDataContent GuidedForm(byte[] file, string? hints = null, byte[]? reference = null)
    {
        var form = Form(file);
        if (hints is not null)
            form.Add(new StringContent(hints), "hints");
        if (reference is not null)
        {
            var part = new ByteArrayContent(reference);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "reference", "reference.png");
        }
        return form;
    }

    /// <summary>POSTs an image with hints and/or a reference photo to <c>/api/colorize</c>.</summary>
    public static Task<HttpResponseMessage> PostGuidedAsync(this HttpClient client, byte[] file, string? hints = null, byte[]? reference = null, string query = "") =>
        client.PostAsync(ColorizeUri(query), GuidedForm(file, hints, reference));

    /// <summary>POSTs <paramref name="file"/> to <c>/api/colorize</c> with an optional query string (without '?').</summary>
    public static Task<HttpResponseMessage> PostColorizeAsync(this HttpClient client, byte[] file, string query = "", string fileName = "photo.png", CancellationToken ct = default) =>
        client.PostAsync(ColorizeUri(query), Form(file, fileName), ct);

    /// <summary>The endpoint's address with a query string.</summary>
    public static string ColorizeUri(string query = "") => query.Length == 0 ? "/api/colorize" : "/api/colorize?" + query;

    /// <summary>
    /// Asserts an RFC 7807 answer: the status, content type <c>application/problem+json</c>, and a body with a matching
    /// <c>status</c>, a <c>title</c> and a non-empty <c>detail</c>, which it returns.
    /// </summary>
    public static async Task<Problem> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        string title = root.GetProperty("title").GetString() ?? "";
        string detail = root.GetProperty("detail").GetString() ?? "";
        Assert.False(string.IsNullOrWhiteSpace(title), body);
        Assert.False(string.IsNullOrWhiteSpace(detail), body);
        var errors = root.TryGetProperty("errors", out var map)
            ? map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(v => v.GetString() ?? "").ToArray())
            : [];
        return new Problem(title, detail, errors);
    }
}

/// <summary>The parts of a problem response the tests look at.</summary>
public sealed record Problem(string Title, string Detail, IReadOnlyDictionary<string, string[]> Errors);

/// <summary>Content that does not know its length, so HttpClient sends it chunked (no Content-Length).</summary>
public sealed class UnknownLengthContent : HttpContent
{
    private readonly HttpContent _inner;

    public UnknownLengthContent(HttpContent inner)
    {
        _inner = inner;
        foreach (var header in inner.Headers.NonValidated)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _inner.Dispose();
        base.Dispose(disposing);
    }
}
