using Colorizer.Core.Colorization;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Video;

namespace Colorizer.Web.Video;

/// <summary>
/// How one video job is colorized, as the page and the API choose it: the model and its colorization options (render
/// size, saturation, repairs), stabilization and key frames. Kept with the job, so a job resumed after a restart is
/// colorized as it was asked.
/// </summary>
/// <param name="Colorization">The model, render size, saturation, temperature and repairs; validated on creation.</param>
/// <param name="Stabilize">Keep the colour steady from frame to frame (default on).</param>
/// <param name="KeyFrames">Run the network on key frames only and carry the colour between them (default on).</param>
public sealed record VideoJobSettings(ColorizationOptions Colorization, bool Stabilize = true, bool KeyFrames = true)
{
    /// <summary>The 2016 network at its defaults, stabilized, with key frames.</summary>
    public static VideoJobSettings Default { get; } = new(ColorizationOptions.Default);

    /// <summary>The defaults for <paramref name="model"/> (its own default input size).</summary>
    public static VideoJobSettings For(ColorModel model) => new(ColorizationOptions.For(model));

    /// <summary>The model these settings name.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ColorModel Model => ModelCatalogue.Get(Colorization.Model);

    /// <summary>Throws <see cref="Core.InvalidColorizationOptionException"/> naming the first value out of range.</summary>
    public void Validate() => ToVideoOptions().Validate();

    /// <summary>The engine's video options for these settings, encoded in resumable segments.</summary>
    public VideoOptions ToVideoOptions() => VideoOptions.Default with
    {
        Colorization = Colorization,
        Stabilize = Stabilize,
        KeyFrames = KeyFrames,
    };
}
