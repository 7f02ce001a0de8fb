using Colorizer.Core.Colorization;

namespace Colorizer.Core.Models.Catalogue;

/// <summary>
/// The use of a loaded model for one job: the engine stays loaded (never evicted under the job) until the lease is
/// disposed. Dispose it when the job ends.
/// </summary>
public sealed class ModelLease : IDisposable
{
    private Action? _release;

    internal ModelLease(ColorizationEngine engine, Action? release)
    {
        Engine = engine;
        _release = release;
    }

    /// <summary>The model's engine.</summary>
    public ColorizationEngine Engine { get; }

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
