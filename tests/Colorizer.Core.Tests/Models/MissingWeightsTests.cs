using System.Diagnostics;
using System.Security.Cryptography;
using Colorizer.Core.Models;
using Colorizer.Testing;

namespace Colorizer.Core.Tests.Models;

/// <summary>
/// The facts a host words its "weights missing" message from, and the shell line it offers to copy: run here in a
/// real bash, with a stand-in <c>curl</c> on the PATH (nothing leaves the machine) and the real <c>sha256sum</c>.
/// </summary>
public sealed class MissingWeightsTests : IDisposable
{
    // Stands in for curl: copies $PAYLOAD to the -o file (making its folder only if asked to), noting the address.
    private const string FakeCurl = """
        #!/bin/sh
        out=; create=
        while [ $# -gt 0 ]; do
          case "$1" in
            -o) out=$2; shift 2 ;;
            --create-dirs) create=1; shift ;;
            -*) shift ;;
            *) printf '%s' "$1" > "$URL_LOG"; shift ;;
          esac
        done
        if [ -n "$create" ]; then mkdir -p "$(dirname "$out")"; fi
        cp "$PAYLOAD" "$out"
        """;

    private static readonly byte[] Payload = "weights of a test model, small enough to hash in no time"u8.ToArray();

    private readonly TemporaryDirectory _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public void Describe_NamesTheFileSizeHashEveryAddressAndTheFullPath_AndNoHostsSetting()
    {
        string target = Path.Combine(_work.Path, "models", ModelFileNames.Weights);

        var missing = WeightsRelease.Official.MissingAt(target, MissingWeightsCause.DownloadFailed);
        string text = missing.Describe();

        Assert.Equal(
            "Download colorization_release_v2.caffemodel (128,946,764 bytes, SHA-256 f5af1e602646328c792e1094f9876fe9cd4c09ac46fa886e5708a1abc89137b1) " +
            "on a machine that has internet access from " +
            "https://people.eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel or " +
            "http://eecs.berkeley.edu/~rich.zhang/projects/2016_colorization/files/demo_v2/colorization_release_v2.caffemodel or " +
            $"https://www.dropbox.com/s/dx0qvhhp5hbcx7z/colorization_release_v2.caffemodel?dl=1 and save it as {target}.",
            text);
        Assert.DoesNotContain("--models", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShellCommand_DownloadsChecksTheHashAndMovesTheFileIntoPlace_WhateverThePathAndAddressHold()
    {
        // A quote and spaces in the path, and characters a shell would act on in the address.
        string target = Path.Combine(_work.Path, "it's a \"models\" $HOME folder", "weights.caffemodel");
        var address = new Uri("http://127.0.0.1:9/files/weights.caffemodel?dl=1&user=$USER;echo%20hacked&name=it's");
        var missing = Release(address, Payload).MissingAt(target, MissingWeightsCause.DownloadFailed);

        var (exitCode, output) = await RunAsync(missing.ShellCommand, Payload);

        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}");
        Assert.Equal(Payload, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(target + ".download"), "the download was not moved into place");
        Assert.Equal(address.AbsoluteUri, await File.ReadAllTextAsync(_work.File("url.txt")));
        Assert.Contains(": OK", output, StringComparison.Ordinal);
        Assert.DoesNotContain("hacked", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ShellCommand_WithBytesOfAnotherHash_FailsAndPutsNothingUnderTheFinalName()
    {
        string target = Path.Combine(_work.Path, "models", "weights.caffemodel");
        var missing = Release(new Uri("http://127.0.0.1:9/weights.caffemodel"), Payload).MissingAt(target, MissingWeightsCause.DownloadFailed);
        byte[] wrong = [.. Payload.Reverse()];

        var (exitCode, output) = await RunAsync(missing.ShellCommand, wrong);

        Assert.True(exitCode != 0, $"a wrong file passed the check: {output}");
        Assert.Contains("FAILED", output, StringComparison.Ordinal);
        Assert.False(File.Exists(target), "a file that failed the check was put under the final name");
    }

    private static WeightsRelease Release(Uri address, byte[] content) =>
        new("weights.caffemodel", content.Length, Convert.ToHexStringLower(SHA256.HashData(content)), [address]);

    /// <summary>Runs <paramref name="command"/> in bash with the stand-in curl serving <paramref name="served"/>.</summary>
    private async Task<(int ExitCode, string Output)> RunAsync(string command, byte[] served)
    {
        string bin = Directory.CreateDirectory(_work.File("bin")).FullName;
        string curl = Path.Combine(bin, "curl");
        await File.WriteAllTextAsync(curl, FakeCurl.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows()) // the product runs on Linux only; the guard is for the analyzer
            File.SetUnixFileMode(curl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string payload = _work.File("served.bin");
        await File.WriteAllBytesAsync(payload, served);

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _work.Path };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["PAYLOAD"] = payload;
        start.Environment["URL_LOG"] = _work.File("url.txt");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }
}
