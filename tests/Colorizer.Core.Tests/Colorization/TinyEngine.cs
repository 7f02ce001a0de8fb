using Colorizer.Core.Colorization;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Colorization;

/// <summary>
/// An engine over a tiny generated model, in its own temporary folder, on OpenCV's backend unless a test names another
/// (the tests of the network itself run on every backend, see <see cref="Backends"/>).
/// </summary>
public sealed class TinyEngine : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public TinyEngine(TinyModel model, bool includeDecodingTail = true, InferenceBackend backend = InferenceBackendDefaults.Default)
    {
        Folder = SyntheticModels.WriteTiny(_directory.Path, model, includeDecodingTail);
        try
        {
            Engine = ColorizationEngine.Load(Folder.Directory, backend: backend);
        }
        catch
        {
            _directory.Dispose();
            throw;
        }
    }

    public TinyEngine(TinyModel model, InferenceBackend backend)
        : this(model, includeDecodingTail: true, backend)
    {
    }

    public SyntheticModelFolder Folder { get; }

    public ColorizationEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        _directory.Dispose();
    }
}
