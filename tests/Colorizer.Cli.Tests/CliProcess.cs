using System.Diagnostics;
using Colorizer.Testing;

namespace Colorizer.Cli.Tests;

/// <summary>The built CLI started as a process of its own.</summary>
internal static class CliProcess
{
    /// <summary>The CLI of this build (<c>src/Colorizer.Cli/bin/&lt;configuration&gt;/...</c>), beside the tests' own folder.</summary>
    public static string Dll()
    {
        string tests = Path.Combine(RepositoryPaths.Root, "tests", "Colorizer.Cli.Tests");
        string relative = Path.GetRelativePath(tests, AppContext.BaseDirectory);
        string dll = Path.Combine(RepositoryPaths.Root, "src", "Colorizer.Cli", relative, "colorizer.dll");
        Assert.True(File.Exists(dll), $"{dll} not found: the CLI is built with the tests (it is a project reference).");
        return dll;
    }

    /// <summary>Starts the CLI with <paramref name="arguments"/>, its output and errors redirected.</summary>
    public static Process Start(IEnumerable<string> arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(RepositoryPaths.DotnetHost) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (environment is not null)
        {
            start.Environment.Clear();
            foreach (var (key, value) in environment)
                start.Environment[key] = value;
        }
        start.ArgumentList.Add(Dll());
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        return Process.Start(start)!;
    }
}
