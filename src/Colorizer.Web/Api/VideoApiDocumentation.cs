using System.Text.Json.Nodes;
using Colorizer.Core.Video;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Colorizer.Web.Api;

/// <summary>
/// The parts of the video API's OpenAPI description that the endpoints' signatures cannot carry: the query parameters
/// are read as text (a bad value is a 422 naming it), the file is streamed by hand, and the result is binary.
/// </summary>
internal static class VideoApiDocumentation
{
    private static readonly string Formats = string.Join(", ", VideoFiles.Extensions.Order());

    /// <summary>Describes <c>POST /api/videos</c>.</summary>
    public static Task DescribeCreateAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        ColorizeApiDocumentation.DescribeOptions(operation);
        Switch(operation, VideoApi.Stabilize,
            "Keep the colour steady from frame to frame (the colour is carried along the motion and blended with each frame's prediction). " +
            "`true` or `on` (default), `false` or `off`.");
        Switch(operation, VideoApi.KeyFrames,
            "Run the network on key frames only (scene changes and enough motion) and carry the colour along the motion between them: " +
            "much faster. `true` or `on` (default), `false` or `off`.");

        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The video, in a multipart/form-data file field named `file`. It is streamed to the server's storage, not held in memory.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["multipart/form-data"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Required = new HashSet<string> { UploadReader.FieldName },
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            [UploadReader.FieldName] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Format = "binary",
                                Description = $"A video ({Formats}, told by the file name's extension and then opened to check it), at most `Video:MaxFileBytes` (500 MB by default).",
                            },
                        },
                    },
                },
            },
        };

        if (Response(operation, "202") is { } accepted)
        {
            accepted.Description = "The video was saved and queued. `Location` is the job's address; the body is its state (see GET /api/videos/{id}).";
            accepted.Headers ??= new Dictionary<string, IOpenApiHeader>();
            accepted.Headers["Location"] = new OpenApiHeader
            {
                Description = "The job's address, /api/videos/{id}.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
        ColorizeApiDocumentation.SetDescription(operation, "400", "Not multipart/form-data, a broken form, no file field named `file` (or text in it), or an empty file.");
        ColorizeApiDocumentation.SetDescription(operation, "413", "The video is larger than the server's `Video:MaxFileBytes`.");
        ColorizeApiDocumentation.SetDescription(operation, "415", $"The file's extension is not one of {Formats}, or the file cannot be opened as a video (it is damaged or not a video).");
        ColorizeApiDocumentation.SetDescription(operation, "422", "An option is invalid; the problem's detail and `errors` name the query parameter.");
        ColorizeApiDocumentation.SetDescription(operation, "429", "This client has used up its rate limit; try again after Retry-After seconds.", retryAfter: true);
        ColorizeApiDocumentation.SetDescription(operation, "503", "Too many videos are waiting already (`Video:MaxQueuedJobs`), or the server could not store the job; try again after Retry-After seconds.", retryAfter: true);
        return Task.CompletedTask;
    }

    /// <summary>Describes <c>GET /api/videos/{id}</c>.</summary>
    public static Task DescribeGetAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        DescribeId(operation);
        ColorizeApiDocumentation.SetDescription(operation, "200", "The job's state.");
        ColorizeApiDocumentation.SetDescription(operation, "404", "No such job: the id is wrong, or the job has expired or was deleted.");
        ColorizeApiDocumentation.SetDescription(operation, "429", "This client has used up its rate limit; try again after Retry-After seconds.", retryAfter: true);
        return Task.CompletedTask;
    }

    /// <summary>Describes <c>GET /api/videos/{id}/result</c>.</summary>
    public static Task DescribeResultAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        DescribeId(operation);
        foreach (string status in new[] { "200", "206" })
        {
            if (Response(operation, status) is not { } ok)
                continue;
            ok.Description = status == "200" ? "The colorized MP4." : "The requested range of the colorized MP4 (Content-Range says which).";
            ok.Content = new Dictionary<string, OpenApiMediaType>
            {
                ["video/mp4"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
            };
            ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
            ok.Headers["Content-Disposition"] = new OpenApiHeader
            {
                Description = "attachment; filename=<uploaded name, sanitized>-colorized.mp4",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }
        ColorizeApiDocumentation.SetDescription(operation, "404", "No such job, or it failed or was cancelled (so it has no result).");
        ColorizeApiDocumentation.SetDescription(operation, "409", "The job is still queued or running; poll GET /api/videos/{id} until it is done.");
        ColorizeApiDocumentation.SetDescription(operation, "416", "The Range asked for lies outside the file.");
        ColorizeApiDocumentation.SetDescription(operation, "429", "This client has used up its rate limit; try again after Retry-After seconds.", retryAfter: true);
        return Task.CompletedTask;
    }

    /// <summary>Describes <c>DELETE /api/videos/{id}</c>.</summary>
    public static Task DescribeDeleteAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        DescribeId(operation);
        ColorizeApiDocumentation.SetDescription(operation, "204", "The job was cancelled (if it had not finished) and deleted with its files.");
        ColorizeApiDocumentation.SetDescription(operation, "404", "No such job: the id is wrong, or the job has expired or was deleted already.");
        ColorizeApiDocumentation.SetDescription(operation, "429", "This client has used up its rate limit; try again after Retry-After seconds.", retryAfter: true);
        return Task.CompletedTask;
    }

    private static void DescribeId(OpenApiOperation operation)
    {
        var parameter = operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.In == ParameterLocation.Path && p.Name == "id");
        if (parameter is null)
            return;
        parameter.Description = "The job's id, as POST /api/videos returned it (22 characters of base64url).";
        parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 22, MaxLength = 22, Pattern = "^[A-Za-z0-9_-]{22}$" };
    }

    private static void Switch(OpenApiOperation operation, string name, string description) =>
        ColorizeApiDocumentation.Describe(operation, name, description, new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = [JsonValue.Create("true"), JsonValue.Create("false"), JsonValue.Create("on"), JsonValue.Create("off")],
            Default = JsonValue.Create("true"),
        });

    private static OpenApiResponse? Response(OpenApiOperation operation, string status) =>
        operation.Responses?.TryGetValue(status, out var found) == true ? found as OpenApiResponse : null;
}
