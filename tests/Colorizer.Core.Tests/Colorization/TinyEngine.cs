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

    /// <summary>The index of the bin whose centre is (<paramref name="a"/>, <paramref name="b"/>).</summary>
    public static int BinAt(int a, int b)
    {
        var centres = SyntheticModels.BinCentres;
        for (int i = 0; i < centres.Count; i++)
        {
            if (centres[i] == (a, b))
                return i;
        }
        throw new ArgumentException($"No bin is centred at ({a}, {b}).");
    }

    public void Dispose()
    {
        Engine.Dispose();
        _directory.Dispose();
    }
}
