using Colorizer.Testing;

namespace Colorizer.Cli.Tests;

/// <summary>A temporary workspace for a CLI run: a tiny model, an inputs folder and where the results go.</summary>
internal sealed class CliFolders : IDisposable
{
    private readonly TemporaryDirectory _work = new();

    public CliFolders()
    {
        Models = SyntheticModels.WriteTiny(_work.File("models"), TinyModel.ConstantBin(150)).Directory;
        Inputs = Directory.CreateDirectory(_work.File("inputs")).FullName;
        Output = _work.File("out");
    }

    public string Models { get; }

    public string Inputs { get; }

    public string Output { get; }

    public string File(string name) => _work.File(name);

    public void Dispose() => _work.Dispose();
}
