using Colorizer.Web;
using Colorizer.Web.Api;
using Colorizer.Web.Colorization;
using Colorizer.Web.Components;
using Colorizer.Web.Diagnostics;
using Colorizer.Web.Health;
using Colorizer.Web.Hosting;
using Colorizer.Web.Security;
using Colorizer.Web.Video;

var builder = WebApplication.CreateBuilder(args);
// First, before anything loads OpenCV: its decoder limits from the configuration, and glibc's arena cap.
builder.PrepareNativeProcess();
builder.AddColorizerWeb();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
    app.UseHttpsRedirection();
}
app.UseSecurityHeaders(ApiHostingExtensions.DocsPath);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseRefusalLogging();
app.UseApiProblemDetails();
app.UseGracefulStop();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapColorizerHealthChecks();
app.MapServerMetrics();
app.MapColorizeApi();
app.MapColorizeApiDocumentation();
app.MapVideoEndpoints();
app.MapGalleryPreviews();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();
