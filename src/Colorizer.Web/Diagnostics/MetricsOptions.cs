namespace Colorizer.Web.Diagnostics;

/// <summary>The metrics endpoint for operators, bound from the <c>Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Metrics";

    /// <summary>
    /// Serves Prometheus metrics at <see cref="Path"/>. Off by default: the numbers describe the server's load and
    /// its users' activity, so they are turned on where only the cluster's scraper can reach them (the Kubernetes
    /// manifests do).
    /// </summary>
    public bool Enabled { get; set; }

    /// <summary>Where the metrics are served; default <c>/metrics</c>.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// The port the metrics answer on, if not every port the app listens on: the Kubernetes deployment listens on 8080
    /// (the Service and the ingress) and 9464 (only the pod's own address, for the scraper), and sets this to 9464, so
    /// no ingress rule is needed to keep the metrics from the outside.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 65535)]
    public int? Port { get; set; }
}
