using System.Diagnostics;

namespace Colorizer.Bench;

/// <summary>Runs a program to its end, timed from start to exit; a non-zero exit throws with its output.</summary>
internal static class ChildProcess
{
    public static async Task<(double WallMs, List<string> StandardOutput)> RunAsync(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        double wall = clock.Elapsed.TotalMilliseconds;
        string output = await stdout, error = await stderr;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} exited with {process.ExitCode}:\n{output}\n{error}");
        return (wall, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList());
    }
}
