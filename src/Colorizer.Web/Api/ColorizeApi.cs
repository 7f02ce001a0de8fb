using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Web.Colorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Api;

/// <summary>The REST API: <c>POST /api/colorize</c>.</summary>
public static class ColorizeApi
{
    /// <summary>The response header that says whether the upload was already in colour (<c>true</c>/<c>false</c>).</summary>
    public const string InputHadColorHeader = "X-Colorizer-Input-Had-Color";

    /// <summary>Maps the API's endpoints under <c>/api</c>: colorize, models and videos (<see cref="VideoApi"/>).</summary>
    public static IEndpointRouteBuilder MapColorizeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Colorization").RequireRateLimiting(ApiRateLimiting.PolicyName);

        api.MapPost("/colorize", ColorizeAsync)
            .WithName("Colorize")
            .WithSummary("Colorize a photo")
            .WithDescription(
                "Upload a black-and-white photo (JPEG, PNG, WebP, BMP or TIFF, recognised by content) as multipart/form-data " +
                "in a field named `file`; the answer is the colorized image at the input's full resolution, as PNG (default), " +
                "JPEG, WebP or TIFF, with the upload's metadata (EXIF, XMP, IPTC, ICC profile, resolution; see `metadata`) and a " +
                "note that it was colorized. Optionally repair the photo first (`restore=dust,scratches,noise,contrast`, " +
                "`restoreStrength`). Optionally guide the colours: colour hints in a `hints` field (a JSON list of dots or strokes, " +
                "in pixels of the upright image) and a colour photo of a similar scene in a `reference` field, whose colours " +
                "are carried over (`transfer=bands` or `global`). Choose the model with `model` (see `GET /api/models`; default " +
                "`eccv16`) and, for the DDColor and DeOldify models, their input side with `modelSize`. Errors are RFC 7807 problem details. Work shares one bounded queue with the web page: when it " +
                "is full, or this client is over its rate limit, the answer is 429; while the model is still loading or downloading (a model not " +
                "yet downloaded starts its download when the server allows it), or when the work misses its deadline, it is 503; both with Retry-After.")
            // The file is read by UploadReader (so every failure becomes a problem, not the framework's bare 400/415);
            // the request body and the query parameters' types and ranges are described by ColorizeApiDocumentation.
            .Produces(StatusCodes.Status200OK, contentType: "image/png", additionalContentTypes: ["image/jpeg", "image/webp", "image/tiff"])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddOpenApiOperationTransformer(ColorizeApiDocumentation.DescribeColorizeAsync)
            // An API for scripts and other sites' servers: no antiforgery token (the page does not post forms here).
            .DisableAntiforgery();

        ModelsApi.Map(api);
        VideoApi.Map(app);
        return app;
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ColorizeAsync(
        HttpContext context,
        ColorizationService colorizer,
        IOptions<UploadOptions> upload,
        [FromQuery(Name = ColorizeQuery.Temperature)] string? temperature = null,
        [FromQuery(Name = ColorizeQuery.Saturation)] string? saturation = null,
        [FromQuery(Name = ColorizeQuery.RenderSize)] string? renderSize = null,
        [FromQuery(Name = ColorizeQuery.Format)] string? format = null,
        [FromQuery(Name = ColorizeQuery.TransferParameter)] string? transfer = null,
        [FromQuery(Name = ColorizeQuery.Model)] string? model = null,
        [FromQuery(Name = ColorizeQuery.ModelSize)] string? modelSize = null,
        [FromQuery(Name = ColorizeQuery.MetadataParameter)] string? metadata = null,
        [FromQuery(Name = ColorizeQuery.Restore)] string? restore = null,
        [FromQuery(Name = ColorizeQuery.RestoreStrength)] string? restoreStrength = null)
    {
        // Work stops when the client goes away: waiting in the queue, between the engine's stages, before encoding.
        var ct = context.RequestAborted;
        try
        {
            var query = ColorizeQuery.Parse(temperature, saturation, renderSize, format, transfer, model, modelSize, metadata, restore, restoreStrength);
            // The upload holds its bytes in the memory budget from before it is buffered until the answer is made.
            using var memory = await AdmitUploadAsync(context, colorizer, upload.Value, ct);
            var form = await UploadReader.ReadAsync(context.Request, upload.Value.MaxFileBytes, ct);
            var file = form.File;

            // Hints and reference are checked before the image takes a place in the queue: bad ones cost no network
            // pass. Only the hints' positions wait for the decoded (upright) image's size. The reference is decoded on
            // its own turn in the queue, like a photo, so references cannot pile up outside it, charged its decoded
            // working set in the memory budget while it is decoded.
            var hints = form.Hints is null ? [] : HintsJson.Parse(form.Hints);
            var limits = colorizer.Models.Limits;
            var reference = form.Reference is { } photo
                ? await colorizer.RunQueuedAsync(() => ReferencePalette.FromEncoded(photo.Content, limits), Client(context),
                    colorizer.EstimateWorkingSet(photo.Content), ct)
                : null;
            var guidance = new ColorGuidance { Hints = hints, Reference = reference, TransferMode = query.Transfer };

            using var result = await colorizer.ColorizeAsync(file.Content, query.Options, client: Client(context), ct: ct, lease: memory);
            ct.ThrowIfCancellationRequested();
            if (!guidance.IsEmpty)
                result.Guide(guidance);
            byte[] encoded = result.Encode(query.Output, query.Encoder);

            context.Response.Headers[InputHadColorHeader] = result.InputHadColor ? "true" : "false";
            return TypedResults.File(encoded, ImageEncoder.ContentType(query.Output), DownloadFileName.For(file.FileName, query.Output));
        }
        catch (Exception ex) when (ApiProblems.TryCreate(ex, context, out var problem))
        {
            return problem;
        }
    }

    /// <summary>
    /// Takes the request's place in the memory budget for the bytes it will buffer (its Content-Length, or the
    /// largest body allowed when it has none), waiting within <c>Queue:Deadline</c>; null without a budget, or for a
    /// body over the size limit (refused with 413 as it is read, nothing buffered).
    /// </summary>
    private static async Task<MemoryLease?> AdmitUploadAsync(HttpContext context, ColorizationService colorizer, UploadOptions upload,
        CancellationToken ct)
    {
        if (colorizer.Budget is not { } budget)
            return null;
        long limit = UploadLimits.MaxRequestBodyBytes(upload);
        long bytes = context.Request.ContentLength ?? limit;
        if (bytes > limit)
            return null;
        return await colorizer.WaitForRoomAsync(deadline => budget.AcquireAsync(bytes, deadline), ct);
    }

    // The queue's fair share is per client as the rate limit's is: the address (an IPv6 /64 counts as one).
    private static string Client(HttpContext context) => "api:" + ApiRateLimiting.ClientPartition(context.Connection.RemoteIpAddress);
}
