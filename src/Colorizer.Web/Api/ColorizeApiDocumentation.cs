using System.Globalization;
using System.Text.Json.Nodes;
using Colorizer.Core.Colorization;
using Colorizer.Core.Guidance;
using Colorizer.Core.Imaging;
using Colorizer.Core.Imaging.Metadata;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Restoration;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Colorizer.Web.Api;

/// <summary>
/// The parts of <c>POST /api/colorize</c>'s OpenAPI description that the endpoint's signature cannot carry: the
/// query parameters are read as text (so a bad value is a 422 naming it, not the framework's bare 400), the file is
/// read by hand, and the result is binary with two headers of its own.
/// </summary>
internal static class ColorizeApiDocumentation
{
    public static Task DescribeColorizeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        DescribeOptions(operation);
        DescribeImageParameters(operation);
        DescribeColorizeBody(operation);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The colorization options' query parameters, shared with <c>POST /api/videos</c>: temperature, saturation,
    /// renderSize, model, modelSize, restore and restoreStrength (those the operation has).
    /// </summary>
    internal static void DescribeOptions(OpenApiOperation operation)
    {
        var defaults = ColorizationOptions.Default;
        Describe(operation, ColorizeQuery.Temperature,
            "Temperature of the annealed mean, greater than 0 and at most 1. Lower is more vivid; 1 is the plain mean (muted).",
            new OpenApiSchema
            {
                Type = JsonSchemaType.Number,
                Format = "double",
                ExclusiveMinimum = "0",
                Maximum = "1",
                Default = JsonValue.Create(defaults.Temperature),
            });
        Describe(operation, ColorizeQuery.Saturation,
            "Multiplier on the predicted colour, 0 to 2; 0 gives the grey input back.",
            Number(0, ColorizationOptions.MaxSaturation, defaults.Saturation));
        Describe(operation, ColorizeQuery.RenderSize,
            "eccv16 only: side of the network's square input, a multiple of 8 from 128 to 1024. Larger keeps finer colour detail at a cost that grows with its square.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int32",
                Minimum = Invariant(ColorizationOptions.MinRenderSize),
                Maximum = Invariant(ColorizationOptions.MaxRenderSize),
                MultipleOf = 8,
                Default = JsonValue.Create(defaults.RenderSize),
            });
        Describe(operation, ColorizeQuery.Model,
            "The model (GET /api/models lists them with their state): eccv16, the 2016 network, is the only one with a colour distribution, " +
            "so temperature acts on it alone. A DDColor or DeOldify model not yet downloaded answers 503 with Retry-After while its download runs.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. ModelCatalogue.All.Select(m => (JsonNode)JsonValue.Create(m.Id))],
                Default = JsonValue.Create(ModelCatalogue.DefaultId),
            });
        Describe(operation, ColorizeQuery.ModelSize,
            "DDColor and DeOldify models only: the side they run at. A model file with a fixed size runs at that size.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int32",
                Enum = [.. ModelCatalogue.OnnxInputSizes.Select(s => (JsonNode)JsonValue.Create(s))],
                Default = JsonValue.Create(ModelCatalogue.OnnxDefaultInputSize),
            });
        Describe(operation, ColorizeQuery.Restore,
            "Repairs made to the photo's lightness before it is colorized, a comma-separated list of `dust` (small specks), " +
            "`scratches` (thin long lines), `noise` (grain, by edge-preserving denoising) and `contrast` (a faded print). " +
            "None by default.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Pattern = "^(" + string.Join('|', RestorationStepNames.All) + ")(,(" + string.Join('|', RestorationStepNames.All) + "))*$",
                Default = JsonValue.Create(""),
            });
        Describe(operation, ColorizeQuery.RestoreStrength,
            "How strong the noise and contrast repairs are, 0 to 1.",
            Number(0, 1, RestorationOptions.DefaultStrength));
    }

    // The photo's own parameters: output format, metadata and the reference's transfer mode.
    private static void DescribeImageParameters(OpenApiOperation operation)
    {
        Describe(operation, ColorizeQuery.Format,
            "Output format: png (lossless, keeps alpha and 16-bit depth), jpeg (or jpg), webp, or tiff (or tif: lossless, Deflate, keeps alpha and 16-bit depth).",
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [JsonValue.Create("png"), JsonValue.Create("jpeg"), JsonValue.Create("jpg"), JsonValue.Create("webp"), JsonValue.Create("tiff"), JsonValue.Create("tif")],
                Default = JsonValue.Create("png"),
            });
        Describe(operation, ColorizeQuery.MetadataParameter,
            "What of the upload's metadata (EXIF without its thumbnail, XMP, IPTC, the ICC profile, the resolution) the result keeps: " +
            "`keep` all of it, `strip-location` all but GPS, `strip` none. Every result says it was colorized either way (EXIF " +
            "Software, an XMP note with the model and options).",
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. MetadataModeNames.All.Select(n => (JsonNode)JsonValue.Create(n))],
                Default = JsonValue.Create(MetadataModeNames.Keep),
            });
        Describe(operation, ColorizeQuery.TransferParameter,
            "How the `reference` photo's colours are carried over: `bands` matches shadows, mid-tones and highlights separately " +
            "(blended smoothly), `global` matches the whole image's mean and spread at once. Ignored without a reference.",
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [JsonValue.Create("bands"), JsonValue.Create("global")],
                Default = JsonValue.Create("bands"),
            });
    }

    private static void DescribeColorizeBody(OpenApiOperation operation)
    {
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "The photo, in a multipart/form-data file field named `file`; optionally colour hints in a field " +
                "named `hints` and a colour reference photo in a file field named `reference`.",
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
                                Description = "A JPEG, PNG, WebP, BMP or TIFF image, grey or colour, 8 or 16 bit.",
                            },
                            [UploadReader.HintsFieldName] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Description =
                                    "Optional colour hints, \"this spot should be this colour\": a JSON list of " +
                                    "`{\"x\", \"y\", \"radius\", \"color\": \"#rrggbb\"}` or `{\"x\", \"y\", \"radius\", \"lab\": [L, a, b]}`, " +
                                    "with an optional `\"stroke\": [[x, y], ...]` of further points that make the dot a line. " +
                                    "x and y are pixels of the upright, full-resolution image from its top-left corner; radius is in " +
                                    $"pixels too (default {ColorHint.DefaultRadius}, at most {ColorHint.MaxRadius}). Only the colour's " +
                                    "chroma is used (the photo keeps its own lightness); it spreads over the hinted region and stops at " +
                                    $"edges. At most {HintsJson.MaxHints} hints and {UploadLimits.Describe(HintsJson.MaxBytes)} " +
                                    "(larger is a 413). Text, or a file holding the JSON. Invalid JSON, a point outside the image or a " +
                                    "colour out of range is a 422 with `errors.hints`.",
                                Examples = [JsonValue.Create("""[{"x":120,"y":80,"radius":12,"color":"#c0392b"},{"x":40,"y":200,"radius":6,"lab":[60,-20,35],"stroke":[[60,205],[80,210]]}]""")],
                            },
                            [UploadReader.ReferenceFieldName] = new OpenApiSchema
                            {
                                Type = JsonSchemaType.String,
                                Format = "binary",
                                Description =
                                    "Optional colour photo of a similar scene (same formats and limits as `file`): the result's " +
                                    "colours are moved toward its palette (see `transfer`), before the hints are applied. A grey " +
                                    "or unreadable reference is a 422 with `errors.reference`.",
                            },
                        },
                    },
                },
            },
        };

        if (operation.Responses?.TryGetValue("200", out var found) == true && found is OpenApiResponse ok)
        {
            ok.Description = "The colorized image, at the input's full resolution.";
            // Produces() without a CLR type leaves the content out; say what the bytes are.
            ok.Content = new Dictionary<string, OpenApiMediaType>();
            foreach (var format in Enum.GetValues<OutputFormat>())
                ok.Content[ImageEncoder.ContentType(format)] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
            ok.Headers ??= new Dictionary<string, IOpenApiHeader>();
            ok.Headers[ColorizeApi.InputHadColorHeader] = new OpenApiHeader
            {
                Description = "true when the upload was already in colour (it is colorized from its lightness all the same).",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            };
            ok.Headers["Content-Disposition"] = new OpenApiHeader
            {
                Description = "attachment; filename=<uploaded name, sanitized>-colorized.<png|jpg|webp|tif>",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        SetDescription(operation, "415", "The file is not a JPEG, PNG, WebP, BMP or TIFF image (judged by its content, not its name).");
        SetDescription(operation, "400", "Not multipart/form-data, no `file` field (or `reference` sent as text), or a file that cannot be decoded (truncated, corrupt, empty).");
        SetDescription(operation, "413", "The upload (or a reference photo) is larger than the server's `Upload:MaxFileBytes`, or the `hints` field is larger than " + UploadLimits.Describe(HintsJson.MaxBytes) + ".");
        SetDescription(operation, "422", "The image has more pixels or a longer side than the server allows, its structure would take too long to decode (by default a JPEG with more than 100 scans or a TIFF with more than 1,000 tags in its first directory), an option is invalid, the hints are invalid or outside the image, or the reference photo is grey or unreadable (the problem's detail and `errors` name the parameter or field).");
        SetDescription(operation, "429", "The work queue is full, or this client has used up its rate limit; try again after Retry-After seconds.", retryAfter: true);
        SetDescription(operation, "503", "The model is still downloading or loading, or failed to load, or the colorization missed its deadline (Queue:Deadline); try again after Retry-After seconds.", retryAfter: true);
    }

    /// <summary>Sets the description and schema of the query parameter <paramref name="name"/>, when the operation has it.</summary>
    internal static void Describe(OpenApiOperation operation, string name, string description, OpenApiSchema schema)
    {
        var parameter = operation.Parameters?.OfType<OpenApiParameter>()
            .FirstOrDefault(p => p.In == ParameterLocation.Query && string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
        if (parameter is null)
            return;
        parameter.Description = description;
        parameter.Required = false;
        parameter.Schema = schema;
    }

    /// <summary>Sets the description of the response for <paramref name="status"/>, with a Retry-After header if asked.</summary>
    internal static void SetDescription(OpenApiOperation operation, string status, string description, bool retryAfter = false)
    {
        if (operation.Responses?.TryGetValue(status, out var found) != true || found is not OpenApiResponse response)
            return;
        response.Description = description;
        if (retryAfter)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>();
            response.Headers["Retry-After"] = new OpenApiHeader
            {
                Description = "Seconds to wait before trying again.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
            };
        }
    }

    private static OpenApiSchema Number(double minimum, double maximum, double defaultValue) => new()
    {
        Type = JsonSchemaType.Number,
        Format = "double",
        Minimum = Invariant(minimum),
        Maximum = Invariant(maximum),
        Default = JsonValue.Create(defaultValue),
    };

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);
}
