using Colorizer.Web;
using Colorizer.Web.Api;
using Colorizer.Web.Components;

var builder = WebApplication.CreateBuilder(args);
builder.AddColorizerWeb();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseApiProblemDetails();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthChecks("/health");
app.MapColorizeApi();
app.MapColorizeApiDocumentation();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();

app.Run();
