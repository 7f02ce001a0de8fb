namespace Colorizer.Core.Models;

/// <summary>Why the weights file is not in the models folder, as far as Colorizer knows.</summary>
public enum MissingWeightsCause
{
    /// <summary>The file is not there and no download was asked for (e.g. the engine was loaded directly).</summary>
    Absent,

    /// <summary>The file is not there and the host does not download (the web app's <c>DownloadWeights</c> off, the CLI's <c>--offline</c>).</summary>
    DownloadSwitchedOff,

    /// <summary>A download was tried and failed: every source, or writing the file.</summary>
    DownloadFailed,
}
