namespace Colorizer.Cli;

/// <summary>
/// An <see cref="IProgress{T}"/> that reports on the caller's thread, in order: a console program has no
/// synchronization context, and <see cref="Progress{T}"/> would post reports to the thread pool out of order.
/// </summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
