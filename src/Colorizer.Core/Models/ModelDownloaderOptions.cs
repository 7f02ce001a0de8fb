namespace Colorizer.Core.Models;

/// <summary>How <see cref="ModelDownloader"/> retries and when it gives up on a silent server.</summary>
public sealed class ModelDownloaderOptions
{
    /// <summary>How many times one source is tried (resuming each time) before the next source is used. At least 1; default 3.</summary>
    public int MaxAttemptsPerSource { get; set; } = 3;

    /// <summary>The wait before the first retry of a source; each further retry waits twice as long. Default 2 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between two attempts, however many retries came before. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one attempt may go without progress (no response headers, or no bytes of the body) before it is
    /// abandoned and retried. Default 60 s.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Throws when a value is out of range, naming it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttemptsPerSource, 1, nameof(MaxAttemptsPerSource));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, TimeSpan.Zero, nameof(MaxRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StallTimeout, TimeSpan.Zero, nameof(StallTimeout));
    }
}
