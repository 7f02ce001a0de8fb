using Colorizer.Core.Models;
using Colorizer.Web.Tests.Infrastructure;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>
/// The tiny model's folder without its weights, downloads off (so the model fails to load at start), and the
/// periodic look at the folder set to an hour: only the file watcher can notice weights put in place during a test.
/// The weights are kept aside in <see cref="Weights"/> for the test to copy in.
/// </summary>
public sealed class WeightsArriveLaterWebFactory : ColorizerWebFactory
{
    public WeightsArriveLaterWebFactory()
        : base(new Dictionary<string, string?> { ["ModelWatch:PollInterval"] = "01:00:00" })
    {
        WeightsPath = Path.Combine(ModelsDirectory, ModelFileNames.Weights);
        Weights = File.ReadAllBytes(WeightsPath);
        File.Delete(WeightsPath);
    }

    /// <summary>The tiny model's weights (not the release's: the app uses them with a warning).</summary>
    public byte[] Weights { get; }

    /// <summary>Where the app expects the weights.</summary>
    public string WeightsPath { get; }
}
