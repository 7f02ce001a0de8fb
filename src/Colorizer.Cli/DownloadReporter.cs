using Colorizer.Core.Models;

namespace Colorizer.Cli;

/// <summary>Shows the weights download on standard error: one line every 5%, with megabytes and speed.</summary>
internal sealed class DownloadReporter(TextWriter error) : IProgress<DownloadProgress>
{
    private readonly DateTime _started = DateTime.UtcNow;
    private int _lastStep = -1;

    public void Report(DownloadProgress value)
    {
        int step = (int)(value.Fraction * 20);
        if (step == _lastStep)
            return;
        _lastStep = step;
        double seconds = Math.Max(0.001, (DateTime.UtcNow - _started).TotalSeconds);
        lock (error)
            error.WriteLine($"Downloading {ModelFileNames.Weights} from {value.Source.Host}: {value.Fraction:P0} " +
                $"({value.BytesReceived / 1e6:0.0} of {value.TotalBytes / 1e6:0.0} MB, {value.BytesReceived / 1e6 / seconds:0.0} MB/s)");
    }

}
