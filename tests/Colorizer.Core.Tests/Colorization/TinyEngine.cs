using Colorizer.Core.Colorization;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Colorization;

/// <summary>An engine over a tiny generated model, in its own temporary folder.</summary>
public sealed class TinyEngine : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    public TinyEngine(TinyModel model, bool includeDecodingTail = true)
    {
        Folder = SyntheticModels.WriteTiny(_directory.Path, model, includeDecodingTail);
        Engine = ColorizationEngine.Load(Folder.Directory);
    }

    public SyntheticModelFolder Folder { get; }

    public ColorizationEngine Engine { get; }


    public void Dispose()
    {
        Engine.Dispose();
        _directory.Dispose();
    }
}
