using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Colorizer.Testing;

/// <summary>
/// A build of the web app (<c>Colorizer.Web.dll</c>) as a child process on a loopback port, started from the dll's own
/// folder, healthy within a minute or failed with its log; killed (SIGKILL, with anything it started) on dispose.
/// </summary>
public sealed class WebAppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private WebAppProcess(Process process, string address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The web app built beside the test's own binaries (a test project that references it gets a copy).</summary>
    public static string BuiltDll => Path.Combine(AppContext.BaseDirectory, "Colorizer.Web.dll");

    /// <summary>Where the app listens: <c>http://127.0.0.1:port</c>.</summary>
    public string Address { get; }

    /// <summary>The app's process id, to read <c>/proc/&lt;pid&gt;/status</c>.</summary>
    public int Id => _process.Id;

    /// <summary>Everything the app printed so far, standard output and error.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> --urls http://127.0.0.1:<paramref name="port"/></c> followed by
    /// <paramref name="arguments"/> (settings such as <c>--Colorizer:ModelsDirectory=…</c>), with
    /// <paramref name="environment"/> added to the test's own environment, or as the whole environment when
    /// <paramref name="inheritEnvironment"/> is false; then waits for <c>/health</c> to answer 200.
    /// </summary>
    public static async Task<WebAppProcess> StartAsync(string dll, int port, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, bool inheritEnvironment = true)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(RepositoryPaths.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        if (!inheritEnvironment)
            start.Environment.Clear();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            start.Environment[key] = value;
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);

        var process = new Process { StartInfo = start };
        var app = new WebAppProcess(process, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (var client = app.CreateClient(TimeSpan.FromSeconds(10)))
        {
            if (await AppHealth.WaitUntilHealthyAsync(client, process, TimeSpan.FromSeconds(60)))
                return app;
        }
        string log = app.Log;
        bool exited = process.HasExited;
        await app.DisposeAsync();
        throw new InvalidOperationException($"{Path.GetFileName(dll)} did not become healthy within 60 s (exited: {exited}). Its log:\n{log}");
    }

    /// <summary>A client for the app.</summary>
    public HttpClient CreateClient(TimeSpan timeout) => new() { BaseAddress = new Uri(Address), Timeout = timeout };

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL, and waits for the exit: no shutdown code runs, as in a power cut or the kernel's OOM killer.</summary>
    public void Kill()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }
}
