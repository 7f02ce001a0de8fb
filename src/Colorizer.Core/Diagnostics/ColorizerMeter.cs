using System.Diagnostics.Metrics;

namespace Colorizer.Core.Diagnostics;

/// <summary>
/// The engine's own measurements, in .NET's standard metrics API (<see cref="System.Diagnostics.Metrics"/>): any
/// listener (the web app's OpenTelemetry exporter, <c>dotnet-counters</c>) can read them, and without one they cost
/// next to nothing. Core names what it measures; exporting is the host's business.
/// </summary>
public static class ColorizerMeter
{
    /// <summary>The meter's name, for listeners to subscribe to.</summary>
    public const string Name = "Colorizer";

    private static readonly Meter Meter = new(Name);

    private static readonly Histogram<double> ForwardPassDuration = Meter.CreateHistogram<double>(
        "colorizer.forward_pass.duration", unit: "s", description: "Time of one network forward pass, by model and input size.");

    /// <summary>Records one forward pass of <paramref name="model"/> at <paramref name="size"/> × <paramref name="size"/>.</summary>
    public static void RecordForwardPass(string model, int size, TimeSpan duration) =>
        ForwardPassDuration.Record(duration.TotalSeconds,
            new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("size", size));
}
