using System.Diagnostics;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Repository;

/// <summary>
/// scripts/check-vulnerable.sh, which CI runs after the tests: <c>dotnet list package --vulnerable</c> exits 0 even when
/// it finds something, so the script must read its report. Run here against a stand-in <c>dotnet</c> that prints
/// a known report.
/// </summary>
public sealed class CheckVulnerableScriptTests : IDisposable
{
    private readonly TemporaryDirectory _bin = new();

    public void Dispose() => _bin.Dispose();

    private const string Clean = """
        The given project `Colorizer.Core` has no vulnerable packages given the current sources.
        The given project `Colorizer.Web` has no vulnerable packages given the current sources.
        """;

    private const string Vulnerable = """
        The given project `Colorizer.Core` has no vulnerable packages given the current sources.
        Project `Colorizer.Web` has the following vulnerable packages
           [net10.0]:
           Transitive Package      Resolved   Severity   Advisory URL
           > System.Text.Json      8.0.0      High       https://github.com/advisories/GHSA-0000-0000-0000
        """;

    private (int Exit, string Output) Run(string report, int dotnetExit = 0)
    {
        string fake = _bin.File("dotnet");
        File.WriteAllText(fake, $"#!/usr/bin/env bash\ncat <<'REPORT'\n{report}\nREPORT\nexit {dotnetExit}\n");
        if (OperatingSystem.IsWindows())
            Assert.Fail("The repository's scripts are for Linux.");
        else
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "check-vulnerable.sh"));
        start.Environment["PATH"] = _bin.Path + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "the script did not finish");
        return (process.ExitCode, output);
    }

    [Fact]
    public void ACleanReport_Passes()
    {
        var (exit, output) = Run(Clean);

        Assert.True(exit == 0, output);
        Assert.Contains("no known vulnerable packages", output);
    }

    [Fact]
    public void AReportWithAVulnerablePackage_Fails_AndShowsIt()
    {
        var (exit, output) = Run(Vulnerable);

        Assert.True(exit == 1, $"exit {exit}: {output}");
        Assert.Contains("System.Text.Json", output);
    }

    [Fact]
    public void ACommandThatFails_FailsTheCheck()
    {
        var (exit, output) = Run("error: unable to load the service index for source", dotnetExit: 1);

        Assert.True(exit == 2, $"exit {exit}: {output}");
    }
}
