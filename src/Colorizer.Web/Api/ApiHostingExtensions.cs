using Scalar.AspNetCore;

namespace Colorizer.Web.Api;

/// <summary>The API's registrations and middleware: problem details, request-size limits, the OpenAPI document and its page.</summary>
public static class ApiHostingExtensions
{
    /// <summary>Where the browsable API reference is served.</summary>
    public const string DocsPath = "/api/docs";

    /// <summary>The OpenAPI document's route (<c>/openapi/v1.json</c>).</summary>
    public const string OpenApiPattern = "/openapi/{documentName}.json";

    private static readonly PathString ApiPrefix = "/api";

    /// <summary>
    /// Adds RFC 7807 problem details, OpenAPI, the upload limits (Kestrel and multipart, from <c>Upload:MaxFileBytes</c>)
    /// and the per-client rate limit (<c>RateLimit</c>).
    /// </summary>
    public static IServiceCollection AddColorizeApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Problems the framework writes for /api (no such route, wrong method, an unexpected error) get a detail too.
            var http = context.HttpContext;
            if (context.ProblemDetails.Detail is not null || !http.Request.Path.StartsWithSegments(ApiPrefix))
                return;
            context.ProblemDetails.Detail = context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => $"There is no API endpoint for {http.Request.Method} {http.Request.Path}. The API is described at {DocsPath}.",
                StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}. The API is described at {DocsPath}.",
                >= 500 => "An unexpected error occurred on the server; it has been logged.",
                _ => null,
            };
        });
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Colorizer API";
            document.Info.Description = "Colorizes black-and-white photos (POST /api/colorize) and videos (the /api/videos jobs) with the network of Zhang, Isola & Efros (ECCV 2016), DDColor or DeOldify (GET /api/models).";
            return Task.CompletedTask;
        }));
        services.AddUploadLimits();
        services.AddApiRateLimiting(configuration);
        return services;
    }

    /// <summary>
    /// For <c>/api</c> requests, an unexpected exception or a bodyless error status (404, 405) is answered with
    /// problem+json instead of the site's HTML error and not-found pages. Call after the site-wide handlers.
    /// </summary>
    public static IApplicationBuilder UseApiProblemDetails(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ApiPrefix), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });

    /// <summary>Maps the OpenAPI document (<c>/openapi/v1.json</c>) and the API reference page (<c>/api/docs</c>).</summary>
    public static IEndpointRouteBuilder MapColorizeApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(OpenApiPattern);
        // Scalar's script is embedded in its package and served from DocsPath; with the CDN fonts, telemetry, the
        // hosted AI agent and the developer-tools bar (links to Scalar's cloud) switched off, the page makes no
        // request outside this server.
        app.MapScalarApiReference(DocsPath, options => options
            .WithTitle("Colorizer API")
            .WithOpenApiRoutePattern(OpenApiPattern)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideDeveloperTools());
        return app;
    }
}
