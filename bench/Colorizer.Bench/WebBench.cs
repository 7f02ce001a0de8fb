using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;

namespace Colorizer.Bench;

/// <summary>One level of parallel clients against the API.</summary>
internal sealed record WebLevel
{
    public required int Clients { get; init; }
    public double WindowMs { get; set; }
    public List<double> LatencyMs { get; init; } = [];
    public Dictionary<int, int> Statuses { get; init; } = [];
    public int Failures { get; set; }
    public double MachineBusy { get; set; } = double.NaN;
    /// <summary>The machine's busy share in each 1-s slice of the window: gaps show as low slices.</summary>
    public List<double> BusySlices { get; init; } = [];
    /// <summary>The server's own CPU share (of all cores) in each 1-s slice.</summary>
    public List<double> ServerSlices { get; init; } = [];
    public double ServerCpuShare { get; set; } = double.NaN;
    public double RssBeforeMiB { get; set; }
    public double RssAfterMiB { get; set; }
    public string LoadAverageStart { get; set; } = "";
    public string LoadAverageEnd { get; set; } = "";
}

internal sealed record WebResult(string? Skipped, string PhotoLabel, long PhotoBytes, double StartMs, double RssReadyMiB, double PeakMiB,
    IReadOnlyList<WebLevel> Levels, double SecondsPerLevel, IReadOnlyDictionary<string, string> Settings, TimeSpan Elapsed);

/// <summary>
/// The web part: starts the Release build of Colorizer.Web as a child process on a free loopback port with the synthetic
/// model (never downloading: <c>Colorizer:DownloadWeights=false</c>), waits for <c>/health</c>, then posts the same JPEG
/// to <c>POST /api/colorize</c> from 1, 2, 4 and 8 parallel clients for a fixed time each.
/// </summary>
internal static class WebBench
{
    private static readonly int[] ClientCounts = [1, 2, 4, 8];

    /// <summary>Colorizer.Web.dll built next to this benchmark (same configuration), or null if it is not there.</summary>
    public static string? FindWebDll(string? overridePath)
    {
        if (overridePath is not null)
            return File.Exists(overridePath) ? Path.GetFullPath(overridePath) : null;
        string? directory = typeof(WebBench).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "WebDirectory")?.Value;
        string? dll = directory is null ? null : Path.Combine(directory, "Colorizer.Web.dll");
        return dll is not null && File.Exists(dll) ? dll : null;
    }

    public static async Task<WebResult> RunAsync(string? webDll, string modelsDirectory, string photoPath, string photoLabel, string work, bool quick)
    {
        var total = Stopwatch.StartNew();
        double seconds = quick ? 6 : 12;
        long photoBytes = new FileInfo(photoPath).Length;
        var settings = new Dictionary<string, string>
        {
            ["Colorizer__ModelsDirectory"] = modelsDirectory,
            ["Colorizer__DownloadWeights"] = "false",
            ["Colorizer__Backend"] = BenchBackend.Name,
            // One client address sends everything here: lift the per-client limit so that only the queue can refuse.
            ["RateLimit__PermitsPerMinute"] = "1000000",
            ["RateLimit__Burst"] = "100000",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            ["TempFiles__Directory"] = Path.Combine(work, "web-temp"),
            ["Gallery__StorageDirectory"] = Path.Combine(work, "web-galleries"),
            // OpenCV's decoder limits and glibc's arena cap: the app sets them itself at start.
        };
        if (webDll is null)
        {
            string reason = "Colorizer.Web.dll was not found next to this build (`dotnet build Colorizer.sln -c Release` first, or `--web-dll PATH`): the web part was skipped.";
            Console.Error.WriteLine(reason);
            return new WebResult(reason, photoLabel, photoBytes, 0, 0, 0, [], seconds, settings, total.Elapsed);
        }

        int port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(webDll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(webDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (key, value) in settings)
            start.Environment[key] = value;

        var log = new List<string>();
        using var server = Process.Start(start) ?? throw new InvalidOperationException("Could not start the web app.");
        server.OutputDataReceived += (_, e) => Keep(log, e.Data);
        server.ErrorDataReceived += (_, e) => Keep(log, e.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
            var startClock = Stopwatch.StartNew();
            await WaitHealthyAsync(client, server, log);
            double startMs = startClock.Elapsed.TotalMilliseconds;
            Console.Error.WriteLine($"  web app healthy on port {port} after {startMs / 1000:0.0} s (pid {server.Id})");

            byte[] photo = await File.ReadAllBytesAsync(photoPath);
            // Two requests first: the JIT and the first pass through every stage are not in the timings.
            for (int i = 0; i < 2; i++)
                await PostAsync(client, photo);
            double rssReady = CpuTicks.ProcessMemory(server.Id).RssMiB;

            var levels = new List<WebLevel>();
            foreach (int clients in ClientCounts)
            {
                var level = await RunLevelAsync(client, server.Id, photo, clients, TimeSpan.FromSeconds(seconds));
                levels.Add(level);
                Console.Error.WriteLine($"  {clients} client(s): {level.Statuses.GetValueOrDefault(200)} ok in {level.WindowMs / 1000:0.0} s, " +
                                        $"p50 {Stats.Median(level.LatencyMs):0} ms, machine busy {level.MachineBusy * 100:0} %, statuses " +
                                        string.Join(", ", level.Statuses.Select(s => $"{s.Key}: {s.Value}")));
            }
            double peak = CpuTicks.ProcessMemory(server.Id).PeakMiB;
            return new WebResult(null, photoLabel, photoBytes, startMs, rssReady, peak, levels, seconds, settings, total.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or InvalidOperationException or TaskCanceledException)
        {
            string reason = $"The web part failed: {ex.Message}. Last lines of the app's log: {string.Join(" / ", log.TakeLast(5))}";
            Console.Error.WriteLine(reason);
            return new WebResult(reason, photoLabel, photoBytes, 0, 0, 0, [], seconds, settings, total.Elapsed);
        }
        finally
        {
            if (!server.HasExited)
                server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static async Task<WebLevel> RunLevelAsync(HttpClient client, int serverPid, byte[] photo, int clients, TimeSpan duration)
    {
        var level = new WebLevel { Clients = clients, RssBeforeMiB = CpuTicks.ProcessMemory(serverPid).RssMiB, LoadAverageStart = Load.Average() };
        var gate = new object();
        var stop = DateTime.UtcNow + duration;
        using var sampling = new CancellationTokenSource();
        var sampler = SampleAsync(level, serverPid, sampling.Token);

        var machineFrom = CpuTicks.Read();
        long serverFrom = CpuTicks.ProcessTicks(serverPid);
        var window = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (DateTime.UtcNow < stop)
            {
                var clock = Stopwatch.StartNew();
                int status;
                try
                {
                    status = await PostAsync(client, photo);
                }
                catch (HttpRequestException)
                {
                    lock (gate)
                        level.Failures++;
                    continue;
                }
                double ms = clock.Elapsed.TotalMilliseconds;
                lock (gate)
                {
                    level.Statuses[status] = level.Statuses.GetValueOrDefault(status) + 1;
                    if (status == 200)
                        level.LatencyMs.Add(ms);
                }
                // A refused request is answered at once: back off a little rather than spin.
                if (status != 200)
                    await Task.Delay(100);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        level.WindowMs = window.Elapsed.TotalMilliseconds;
        var machineTo = CpuTicks.Read();
        long serverTo = CpuTicks.ProcessTicks(serverPid);
        await sampling.CancelAsync();
        await sampler;

        level.MachineBusy = CpuTicks.BusyShare(machineFrom, machineTo);
        // Clock ticks are 1/100 s; the share is of all cores.
        level.ServerCpuShare = (serverTo - serverFrom) * 10.0 / level.WindowMs / Environment.ProcessorCount;
        level.RssAfterMiB = CpuTicks.ProcessMemory(serverPid).RssMiB;
        level.LoadAverageEnd = Load.Average();
        return level;
    }

    private static async Task SampleAsync(WebLevel level, int serverPid, CancellationToken ct)
    {
        var previous = CpuTicks.Read();
        long previousServer = CpuTicks.ProcessTicks(serverPid);
        var clock = Stopwatch.StartNew();
        try
        {
            while (true)
            {
                await Task.Delay(1000, ct);
                var now = CpuTicks.Read();
                long server = CpuTicks.ProcessTicks(serverPid);
                double elapsedMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                level.BusySlices.Add(CpuTicks.BusyShare(previous, now));
                level.ServerSlices.Add((server - previousServer) * 10.0 / elapsedMs / Environment.ProcessorCount);
                previous = now;
                previousServer = server;
            }
        }
        catch (OperationCanceledException)
        {
            // The window is over.
        }
    }

    private static async Task<int> PostAsync(HttpClient client, byte[] photo)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(photo);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        content.Add(file, "file", "photo.jpg");
        using var response = await client.PostAsync("/api/colorize", content);
        // Read the whole answer (the PNG), as a client would.
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    private static async Task WaitHealthyAsync(HttpClient client, Process server, List<string> log)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(2))
        {
            if (server.HasExited)
                throw new InvalidOperationException($"the web app exited with {server.ExitCode}");
            try
            {
                using var response = await client.GetAsync("/health");
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("the web app did not report healthy within 2 minutes" + (log.Count > 0 ? "" : " (no log)"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void Keep(List<string> log, string? line)
    {
        if (line is null)
            return;
        lock (log)
        {
            log.Add(line);
            if (log.Count > 200)
                log.RemoveAt(0);
        }
    }
}
