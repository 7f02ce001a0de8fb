using Colorizer.Core.Models.Catalogue;
using Colorizer.Web.Colorization;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Colorizer.Web.Api;

/// <summary><c>GET /api/models</c>: the model catalogue with each model's state in this server.</summary>
internal static class ModelsApi
{
    /// <summary>Maps the endpoint on the API's group.</summary>
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/models", List)
            .WithName("ListModels")
            .WithSummary("List the models")
            .WithDescription(
                "Every model `POST /api/colorize` takes as `model`, default first, with its licence, its input sizes and its state in this " +
                "server: `downloaded` (with its size in bytes), `downloading` (with the percentage when the size is known), `failed` (with a " +
                "short reason; the server's log has the details) or `notDownloaded` (asking for it starts its download when the server allows " +
                "downloads). Only `eccv16` has a colour distribution (temperature, likely colours).")
            .Produces<ModelInfo[]>();

    private static Ok<ModelInfo[]> List(ColorizationService colorizer) =>
        TypedResults.Ok(colorizer.Library.List().Select(ModelInfo.Of).ToArray());
}

/// <summary>One model as <c>GET /api/models</c> describes it.</summary>
/// <param name="Id">The value of <c>model</c>.</param>
/// <param name="Name">The name shown to users.</param>
/// <param name="Licence">The model's licence.</param>
/// <param name="Type">eccv16, ddcolor or deoldify: the kind of network.</param>
/// <param name="IsDefault">True for the model used when none is given.</param>
/// <param name="HasDistribution">True when temperature and likely colours apply.</param>
/// <param name="InputSizes">The sides it runs at (for eccv16 the usual ones of <c>renderSize</c>).</param>
/// <param name="DefaultInputSize">The side used when none is given.</param>
/// <param name="State">downloaded, downloading, failed or notDownloaded.</param>
/// <param name="SizeBytes">The file's size when downloaded.</param>
/// <param name="DownloadPercent">0–100 while downloading, when the size is known.</param>
/// <param name="Failure">Why it failed, in short (paths and addresses stay in the server's log).</param>
/// <param name="Loaded">True while it is loaded in this server.</param>
internal sealed record ModelInfo(
    string Id, string Name, string Licence, string Type, bool IsDefault, bool HasDistribution, IReadOnlyList<int> InputSizes, int DefaultInputSize,
    string State, long? SizeBytes, int? DownloadPercent, string? Failure, bool Loaded)
{
    public static ModelInfo Of(ModelAvailability state) => new(
        state.Model.Id,
        state.Model.Name,
        state.Model.Licence,
        state.Model.Type.ToString().ToLowerInvariant(),
        state.Model.Id == ModelCatalogue.DefaultId,
        state.Model.HasDistribution,
        state.Model.InputSizes,
        state.Model.DefaultInputSize,
        state.Status switch
        {
            ModelFileStatus.Downloaded => "downloaded",
            ModelFileStatus.Downloading => "downloading",
            ModelFileStatus.Failed => "failed",
            _ => "notDownloaded",
        },
        state.SizeBytes,
        state.DownloadFraction is double f ? (int)Math.Floor(f * 100) : null,
        // A failure with no file left is a download's; with the file there, its load's.
        state.Status != ModelFileStatus.Failed ? null
            : state.SizeBytes is null ? "The download failed; the server's log says why."
            : "The file could not be loaded; the server's log says why.",
        state.Loaded);
}
