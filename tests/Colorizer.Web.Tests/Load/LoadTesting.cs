using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Colorizer.Web.Tests.Load;

/// <summary>
/// The load tests run alone, after the other test classes: they measure this process's memory and timings, which
/// other classes' servers working at the same time would muddle.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadCollection
{
    public const string Name = "Load";
}

/// <summary>
/// The test process's memory: the resident set (from <c>/proc/self/status</c>), the managed heap, and the native heap
/// in use (glibc's <c>mallinfo2</c>: bytes handed out by <c>malloc</c> and not freed, in every arena, mapped chunks
/// included; OpenCV's buffers come from there). The resident set also counts memory the allocator keeps for reuse
/// after a free, so it levels off late and moves by several MB between samples; the native heap in use does not.
/// </summary>
public readonly record struct MemorySample(TimeSpan At, long RssBytes, long ManagedBytes, long NativeBytes)
{
    public double RssMb => RssBytes / 1048576.0;

    public double ManagedMb => ManagedBytes / 1048576.0;

    public double NativeMb => NativeBytes / 1048576.0;

    /// <summary>
    /// Samples now. With <paramref name="settle"/>, after full compacting collections and finalizers, so that what is
    /// left is what is really held (the managed heap exactly; native buffers owned by collected objects freed).
    /// </summary>
    public static MemorySample Take(Stopwatch clock, bool settle)
    {
        long managed;
        if (settle)
        {
            System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            managed = GC.GetTotalMemory(forceFullCollection: false);
        }
        else
        {
            managed = GC.GetTotalMemory(forceFullCollection: false);
        }
        return new MemorySample(clock.Elapsed, ReadRssBytes(), managed, ReadNativeInUseBytes());
    }

    /// <summary>Bytes malloc has handed out and not had back: <c>uordblks + hblkhd</c> of <c>mallinfo2</c> (glibc 2.33+).</summary>
    public static long ReadNativeInUseBytes()
    {
        var info = mallinfo2();
        return (long)(info.uordblks + info.hblkhd);
    }

    /// <summary>VmRSS of this process (Linux, the only platform the product runs on).</summary>
    public static long ReadRssBytes() => ReadStatusBytes("self", "VmRSS");

    /// <summary>
    /// A size from <c>/proc/<paramref name="process"/>/status</c> (<c>self</c> or a process id), in bytes:
    /// <paramref name="field"/> is <c>VmRSS</c> for the resident set, <c>VmHWM</c> for its peak since the process started.
    /// </summary>
    public static long ReadStatusBytes(string process, string field)
    {
        string path = $"/proc/{process}/status";
        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                // "VmRSS:	  123456 kB"
                string kb = line[(field.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }
        throw new InvalidOperationException($"{path} has no {field} line.");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{At.TotalSeconds,6:0.0} s  RSS {RssMb,7:0.0} MB  managed heap {ManagedMb,6:0.0} MB  native heap in use {NativeMb,6:0.0} MB");

    [DllImport("libc", ExactSpelling = true)]
    private static extern MallInfo2 mallinfo2();

    /// <summary>glibc's <c>struct mallinfo2</c>: ten <c>size_t</c> fields.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct MallInfo2
    {
        public readonly nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost;
    }
}

/// <summary>What one request got back.</summary>
/// <param name="Kind">What was sent (for the report).</param>
/// <param name="Status">The status code, or 0 when the request failed without one (a reset connection, a timeout).</param>
/// <param name="Latency">From sending to the whole body read.</param>
/// <param name="RetryAfter">The <c>Retry-After</c> delay, if any.</param>
/// <param name="ContentType">The response's media type.</param>
/// <param name="Body">The body when it is problem+json, else null.</param>
/// <param name="BodyBytes">The body's length.</param>
/// <param name="Error">The exception when there was no response.</param>
public sealed record Outcome(string Kind, int Status, TimeSpan Latency, TimeSpan? RetryAfter, string? ContentType,
    string? Body, long BodyBytes, string? Error)
{
    /// <summary>Sends one request and records the outcome; never throws for a failed request (Status 0).</summary>
    public static async Task<Outcome> SendAsync(HttpClient client, string kind, Func<HttpRequestMessage> request, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var message = request();
            using var response = await client.SendAsync(message, ct);
            byte[] body = await response.Content.ReadAsByteArrayAsync(ct);
            string? type = response.Content.Headers.ContentType?.MediaType;
            return new Outcome(kind, (int)response.StatusCode, clock.Elapsed, response.Headers.RetryAfter?.Delta, type,
                type == "application/problem+json" ? Encoding.UTF8.GetString(body) : null, body.Length, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Outcome(kind, 0, clock.Elapsed, null, null, null, 0, ex.GetType().Name + ": " + ex.Message);
        }
    }

    /// <summary>Null when this is a well-formed problem with the expected status and, for 429/503, a Retry-After; otherwise what is wrong.</summary>
    public string? ProblemFault()
    {
        if (ContentType != "application/problem+json" || Body is null)
            return $"{Status} with content type {ContentType ?? "none"}, not application/problem+json";
        if (Status is 429 or 503 && RetryAfter is null)
            return $"{Status} without Retry-After";
        if (Status is 429 or 503 && RetryAfter <= TimeSpan.Zero)
            return $"{Status} with Retry-After {RetryAfter}";
        try
        {
            using var json = JsonDocument.Parse(Body);
            var root = json.RootElement;
            if (!root.TryGetProperty("status", out var status) || status.GetInt32() != Status)
                return $"{Status} whose body's status is not {Status}: {Body}";
            if (string.IsNullOrWhiteSpace(root.TryGetProperty("title", out var title) ? title.GetString() : null)
                || string.IsNullOrWhiteSpace(root.TryGetProperty("detail", out var detail) ? detail.GetString() : null))
                return $"{Status} without a title and a detail: {Body}";
        }
        catch (JsonException ex)
        {
            return $"{Status} whose body is not JSON ({ex.Message}): {Body}";
        }
        return null;
    }
}

/// <summary>Counts and latency figures of a run, for the test output.</summary>
public static class LoadReport
{
    public static string Describe(IReadOnlyCollection<Outcome> outcomes, TimeSpan wall)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{outcomes.Count} requests in {wall.TotalSeconds:0.00} s ({outcomes.Count / Math.Max(wall.TotalSeconds, 0.001):0} a second)");
        foreach (var group in outcomes.GroupBy(o => (o.Status, o.Kind)).OrderBy(g => g.Key.Status).ThenBy(g => g.Key.Kind, StringComparer.Ordinal))
        {
            var ms = group.Select(o => o.Latency.TotalMilliseconds).Order().ToArray();
            text.AppendLine(CultureInfo.InvariantCulture,
                $"  {group.Key.Status,3} {group.Key.Kind,-24} x{ms.Length,4}   latency ms p50 {Percentile(ms, 0.5),7:0.0}  p95 {Percentile(ms, 0.95),7:0.0}  max {ms[^1],7:0.0}");
        }
        foreach (var error in outcomes.Where(o => o.Error is not null).Select(o => o.Error).Distinct().Take(5))
            text.AppendLine(CultureInfo.InvariantCulture, $"  error: {error}");
        return text.ToString();
    }

    /// <summary>The <paramref name="p"/> quantile of sorted values (nearest rank).</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    public static string StatusCounts(IEnumerable<Outcome> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => o.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));
}

/// <summary>Polls until a condition holds, or fails the test.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, string what, double seconds = 10)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed.TotalSeconds > seconds)
                Assert.Fail($"Timed out after {seconds} s waiting for {what}.");
            await Task.Delay(10);
        }
    }
}

/// <summary>Builds request messages for the load tests.</summary>
public static class LoadRequests
{
    public static Func<HttpRequestMessage> Colorize(byte[] file, string query = "", string fileName = "photo.png") =>
        () => new HttpRequestMessage(HttpMethod.Post, Infrastructure.ApiRequests.ColorizeUri(query))
        {
            Content = Infrastructure.ApiRequests.Form(file, fileName),
        };

    public static Func<HttpRequestMessage> Get(string path) => () => new HttpRequestMessage(HttpMethod.Get, path);

    public static HttpStatusCode Code(this Outcome outcome) => (HttpStatusCode)outcome.Status;
}
