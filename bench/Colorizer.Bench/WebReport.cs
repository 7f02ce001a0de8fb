using System.Globalization;
using System.Text;

namespace Colorizer.Bench;

/// <summary>The "## Web throughput" section.</summary>
internal sealed class WebReport(WebResult web)
{
    private readonly StringBuilder _text = new();

    public string Markdown()
    {
        _text.Clear();
        Line("## Web throughput");
        Line();
        Line($"Generated on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({web.Elapsed.TotalMinutes:0.0} min); alone: " +
             "`dotnet run -c Release --project bench/Colorizer.Bench -- --web`.");
        Line();
        if (web.Skipped is not null)
        {
            Line(web.Skipped);
            Line();
            return _text.ToString();
        }
        Line("- **Server**: the Release build of `src/Colorizer.Web` (`dotnet Colorizer.Web.dll --urls http://127.0.0.1:<free port>`) as a child " +
             "process, with the synthetic full-size model and these settings from the environment: " +
             string.Join(", ", web.Settings.Where(s => s.Key != "Colorizer__ModelsDirectory" && s.Key != "TempFiles__Directory" && s.Key != "Gallery__StorageDirectory").Select(s => $"`{s.Key}={s.Value}`")) +
             ", `Colorizer__ModelsDirectory=<synthetic model>`. The work queue keeps its defaults (`Queue:Concurrency` 2, `Queue:Capacity` 16, " +
             "`Queue:Deadline` 60 s); the per-client rate limit is lifted because every request comes from one address. " +
             $"Healthy (`/health` = 200) {web.StartMs / 1000:0.0} s after start; 2 requests before the timed windows.");
        Line($"- **Clients**: N tasks in this process, each posting the {web.PhotoLabel} benchmark JPEG ({web.PhotoBytes / 1e6:0.00} MB, 960×720) to " +
             $"`POST /api/colorize` (multipart field `file`, PNG answer read in full) one request after the other for {web.SecondsPerLevel:0} s " +
             "(requests running at the end finish inside the window). A refused request (429/503) is counted and its client waits 100 ms.");
        Line("- **CPU**: *machine busy* is 1 − idle/total over the window from `/proc/stat` (all processes, so other engineers' work counts too); " +
             "*server CPU* is the web app's own user + system time (`/proc/<pid>/stat`) as a share of both cores, over the window and in its " +
             "least busy one-second slice (an idle gap between requests shows there; the machine's own lowest slice is in brackets too). RSS is the server's VmRSS before and after each window.");
        Line();
        Line("| clients | ok | requests / s | latency p50 / p90 / p99 / max | 429 | 503 | other | machine busy (lowest 1-s) | server CPU (lowest 1-s) | server RSS before → after | load avg |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var l in web.Levels)
        {
            int ok = l.Statuses.GetValueOrDefault(200);
            int other = l.Statuses.Where(s => s.Key is not (200 or 429 or 503)).Sum(s => s.Value) + l.Failures;
            Line($"| {l.Clients} | {ok} | **{ok / (l.WindowMs / 1000):0.00}** | {Ms(Stats.Percentile(l.LatencyMs, 50))} / {Ms(Stats.Percentile(l.LatencyMs, 90))} / " +
                 $"{Ms(Stats.Percentile(l.LatencyMs, 99))} / {Ms(Stats.Max(l.LatencyMs))} | {l.Statuses.GetValueOrDefault(429)} | {l.Statuses.GetValueOrDefault(503)} | {other} | " +
                 $"{Pct(l.MachineBusy)} ({Pct(l.BusySlices.Count > 0 ? l.BusySlices.Min() : double.NaN)}) | {Pct(l.ServerCpuShare)} ({Pct(l.ServerSlices.Count > 0 ? l.ServerSlices.Min() : double.NaN)}) | " +
                 $"{l.RssBeforeMiB:0} → {l.RssAfterMiB:0} MiB | {l.LoadAverageStart} → {l.LoadAverageEnd} |");
        }
        Line();
        Line($"Server RSS when ready (after the 2 first requests): {web.RssReadyMiB:0} MiB; its peak over the whole run (VmHWM): {web.PeakMiB:0} MiB.");
        Line();
        Conclusion();
        return _text.ToString();
    }

    private void Conclusion()
    {
        var one = web.Levels.FirstOrDefault(l => l.Clients == 1);
        var many = web.Levels.Where(l => l.Clients >= 2).ToList();
        if (one is null || many.Count == 0)
            return;
        double Rate(WebLevel l) => l.Statuses.GetValueOrDefault(200) / (l.WindowMs / 1000);
        var best = many.MaxBy(Rate)!;
        int refused = web.Levels.Sum(l => l.Statuses.GetValueOrDefault(429) + l.Statuses.GetValueOrDefault(503));
        var eight = web.Levels.Count > 0 ? web.Levels[^1] : null;
        string server = string.Join(", ", many.Select(l => $"{Pct(l.ServerCpuShare)} at N = {l.Clients}"));
        double load = web.Levels.Select(l => double.TryParse(l.LoadAverageStart, System.Globalization.NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : 0).Max();
        Line($"**What we tried / kept / why.** One client gets {Rate(one):0.00} requests/s (p50 {Ms(Stats.Median(one.LatencyMs))} ms) and the server " +
             $"uses {Pct(one.ServerCpuShare)} of the two cores: while one request uploads, decodes, encodes its PNG and is answered, the network " +
             $"waits. From two clients on, the queue runs 2 jobs at once and one job's decode/encode overlaps the other's forward pass: the server " +
             $"uses {server} of the cores; the best rate is {Rate(best):0.00} requests/s at N = {best.Clients} ({Rate(best) / Rate(one):0.00}× one client). " +
             $"More clients than the queue runs at once only wait longer in line (p50 {Ms(Stats.Median(eight!.LatencyMs))} ms at N = {eight.Clients}). " +
             (refused == 0
                 ? "No request was refused (no 429 or 503): 8 clients stay within the queue's 2 running + 16 waiting. "
                 : $"{refused} request(s) were refused (429/503): see the table. ") +
             (load > 2
                 ? $"Other engineers' work ran on the same two cores (load average up to {load:0.0}), so the machine was busy whatever we did and the " +
                   "server's share is below what it would get alone; the ratio between N = 1 and N ≥ 2 is the finding, not the absolute rates. "
                 : "") +
             "Kept: the queue's defaults (2 at once, 16 waiting): they keep both cores busy without a second copy of the network.");
        Line();
    }

    private static string Ms(double value) => double.IsNaN(value) ? "—" : value.ToString("0", CultureInfo.InvariantCulture);

    private static string Pct(double share) => double.IsNaN(share) ? "—" : (share * 100).ToString("0", CultureInfo.InvariantCulture) + " %";

    private void Line(string text = "") => _text.Append(text).Append('\n');
}
