using System.Globalization;
using System.Text;

namespace Colorizer.Bench;

/// <summary>The "## Experiments" section: render-size cost, batching, thread count, lower precision.</summary>
internal sealed class ExploreReport(ExploreResult explore, bool quick)
{
    private readonly StringBuilder _text = new();

    public string Markdown()
    {
        _text.Clear();
        Line("## Experiments: render size, batching, threads, precision");
        Line();
        Line($"Generated on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({(quick ? "quick run" : "full run")}, {explore.ElapsedMs / 60000:0.0} min); " +
             "alone: `dotnet run -c Release --project bench/Colorizer.Bench -- --explore`. One child process for the first three " +
             "(load avg " + $"{explore.LoadAverageStart} → {explore.LoadAverageEnd}), one per precision target. Every time is the " +
             "median of 3 passes after a warm-up pass at the same input shape; same synthetic full-size model as above. " +
             $"OpenCV's parallel framework: {explore.ParallelFramework}; default thread count {explore.DefaultThreads}.");
        Line();
        RenderSizes();
        Batches();
        Threads();
        Precision();
        return _text.ToString();
    }

    private void RenderSizes()
    {
        var points = explore.RenderSizes;
        if (points.Count == 0)
            return;
        double baseline = Stats.Median(points[0].Ms);
        Line("### Render-size cost curve");
        Line();
        Line("`engine.PredictAsync(photo, size)` on the decoded 0.7 MP benchmark photo: the network input (L at size×size, a few ms) and " +
             "one forward pass, logits copied out: the engine's own path. *First pass* is the first call at that size (OpenCV sizes its " +
             "buffers). *Zero input* is `ColorizationEngine.WarmUp(size)` (a pass on an all-zero input, what the image part's *forward @224* " +
             "times), sampled in turn with the photo. Memory: the high-water mark is reset before each size, so *peak* is what that size " +
             "needed on top of the loaded net.");
        Line();
        Line("| render size | area vs 224 | forward, median (min–max) | vs 224 | CPU | CPU vs 224 | zero input: wall / CPU | first pass | RSS after | peak |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        double baselineCpu = Stats.Median(points[0].CpuMs);
        foreach (var p in points)
        {
            double ms = Stats.Median(p.Ms);
            Line($"| {p.Size} | {(double)p.Size * p.Size / (224.0 * 224):0.00}× | {Ms(ms)} ({Ms(Stats.Min(p.Ms))}–{Ms(Stats.Max(p.Ms))}) | " +
                 $"**{ms / baseline:0.00}×** | {Ms(Stats.Median(p.CpuMs))} | {Stats.Median(p.CpuMs) / baselineCpu:0.00}× | " +
                 $"{Ms(Stats.Median(p.ZeroMs))} / {Ms(Stats.Median(p.ZeroCpuMs))} | {Ms(p.WarmUpMs)} | {p.RssMiB:0} MiB | {p.PeakMiB:0} MiB{(p.PeakReset ? "" : " (not reset)")} |");
        }
        Line();
        var largest = points[^1];
        double ratio = Stats.Median(largest.Ms) / baseline, area = (double)largest.Size * largest.Size / (224.0 * 224);
        double cpuRatio = Stats.Median(largest.CpuMs) / Stats.Median(points[0].CpuMs);
        Line($"**What we tried / kept / why.** {largest.Size} is {area:0.0}× the pixels of 224; its forward pass took {cpuRatio:0.0}× the CPU time " +
             $"(the measure the shared machine disturbs least) and {ratio:0.0}× the wall time ({Ms(Stats.Median(largest.Ms))} against {Ms(baseline)} ms; " +
             $"wall times at load {explore.LoadAverageStart} → {explore.LoadAverageEnd} jump with other work), and needed {largest.PeakMiB - points[0].RssMiB:0} MiB " +
             $"more at its peak than the warmed net at 224. Kept: 224 as the default (what the network was trained at); larger sizes stay an " +
             "explicit choice (`--render-size`, the page's render-size option) for finer colour detail, at a price now documented here.");
        Line();
    }

    private void Batches()
    {
        var batches = explore.Batches;
        if (batches.Count == 0)
            return;
        double single = Stats.Median(batches[0].Ms) / batches[0].Images;
        double singleCpu = Stats.Median(batches[0].CpuMs) / batches[0].Images;
        Line("### Several images in one forward pass");
        Line();
        Line("A `Net` loaded directly in the benchmark from `NetworkDescription.Release.WithoutDecodingTail().ToPrototxt()` " +
             "(the engine's forward pass is private and takes one image), fed `CvDnn.BlobFromImages` with N copies of the 224×224 " +
             "input of a benchmark photo; N×313×56×56 logits come out. *First image* compares the batch's first logits with the same " +
             "image alone.");
        Line();
        Line("| N | pass, median (min–max) | per image | per image vs N = 1 | CPU per image | CPU vs N = 1 | first pass | first image vs alone, max abs diff |");
        Line("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var b in batches)
        {
            double pass = Stats.Median(b.Ms), perImage = pass / b.Images, cpuPerImage = Stats.Median(b.CpuMs) / b.Images;
            Line($"| {b.Images} | {Ms(pass)} ({Ms(Stats.Min(b.Ms))}–{Ms(Stats.Max(b.Ms))}) | {Ms(perImage)} | **{perImage / single:0.00}×** | " +
                 $"{Ms(cpuPerImage)} | {cpuPerImage / singleCpu:0.00}× | " +
                 $"{Ms(b.WarmUpMs)} | {b.MaxDiffFirstImage:G3} |");
        }
        Line();
        // Judged on CPU time per image, which other work on the shared machine disturbs much less than wall time.
        var best = batches.Skip(1).DefaultIfEmpty(batches[0]).MinBy(b => Stats.Median(b.CpuMs) / b.Images)!;
        double gain = 1 - Stats.Median(best.CpuMs) / best.Images / singleCpu;
        double wallGain = 1 - Stats.Median(best.Ms) / best.Images / single;
        string Change(double share) => share >= 0 ? $"saves {share * 100:0} %" : $"costs {-share * 100:0} % more";
        string verdict = gain < 0.10
            ? $"Not kept: the best batch (N = {best.Images}) {Change(gain)} of CPU time per image against one image a pass " +
              $"(wall time: {Change(wallGain)}, which moves with the load), while batching would make every image wait for the slowest " +
              "of its batch and hold N inputs' buffers; one image's pass is already parallel inside (the convolutions use both cores). " +
              "The engine stays one image per pass."
            : $"Batching pays here: N = {best.Images} takes {gain * 100:0} % less CPU time per image ({wallGain * 100:0} % less wall time). Not changed in the engine in this round " +
              "(a batch makes every image wait for the slowest of its batch, and the web queue would need to gather work); " +
              "worth an engine change if this holds on an idle machine.";
        Line($"**What we tried / kept / why.** {verdict}");
        Line();
    }

    private void Threads()
    {
        if (explore.Threads.Count == 0)
            return;
        Line("### OpenCV thread count");
        Line();
        Line("`Cv2.SetNumThreads(n)` before the passes on the same direct net (−1: back to OpenCV's default); *reported* is `Cv2.GetNumThreads()` after it.");
        Line();
        Line("| requested | reported | forward, median (min–max) | CPU per pass |");
        Line("|---:|---:|---:|---:|");
        foreach (var t in explore.Threads)
            Line($"| {(t.Requested < 0 ? "default" : t.Requested.ToString(CultureInfo.InvariantCulture))} | {t.Reported} | " +
                 $"{Ms(Stats.Median(t.Ms))} ({Ms(Stats.Min(t.Ms))}–{Ms(Stats.Max(t.Ms))}) | {Ms(Stats.Median(t.CpuMs))} |");
        Line();
        if (explore.Throughput is { } tp)
        {
            // The better round of each way: the one least disturbed by other work.
            double concurrentMs = Stats.Min(tp.ConcurrentMs), sequentialMs = Stats.Min(tp.SequentialMs);
            double concurrent = tp.Images / (concurrentMs / 1000), sequential = tp.Images / (sequentialMs / 1000);
            double Busy(List<double> wall, List<double> cpu) => cpu[wall.IndexOf(Stats.Min(wall))] / Stats.Min(wall) / 2;
            Line($"Throughput, {tp.Images} images (forward passes at 224), each way twice in turn; the better round of each (all rounds in brackets):");
            Line();
            Line("| how | wall, better round (all) | images / s | this process's CPU (of 2 cores) |");
            Line("|---|---:|---:|---:|");
            Line($"| two nets at once, 1 OpenCV thread each (workers report {tp.ThreadsInWorkers}) | {S(concurrentMs)} ({string.Join(", ", tp.ConcurrentMs.Select(S))}) | " +
                 $"**{concurrent:0.00}** | {Busy(tp.ConcurrentMs, tp.ConcurrentCpuMs) * 100:0} % |");
            Line($"| one net, one image after the other, {tp.SequentialThreads} threads | {S(sequentialMs)} ({string.Join(", ", tp.SequentialMs.Select(S))}) | " +
                 $"**{sequential:0.00}** | {Busy(tp.SequentialMs, tp.SequentialCpuMs) * 100:0} % |");
            Line();
            double ratio = concurrent / sequential;
            string verdict = ratio > 1.10
                ? $"Two single-threaded nets side by side did {ratio:0.00}× the images per second of one two-threaded net; they kept " +
                  $"{Busy(tp.ConcurrentMs, tp.ConcurrentCpuMs) * 100:0} % of the two cores busy for this process against " +
                  $"{Busy(tp.SequentialMs, tp.SequentialCpuMs) * 100:0} % for the two-threaded passes. Each layer's parallel loop waits for " +
                  "its slowest thread, so when other work on the shared machine takes one core the two-threaded pass stalls, while two " +
                  "independent passes do not wait for each other. Not adopted: a second net costs its weights and buffers again (see the RSS " +
                  "column above), one image's latency doubles (a pass on one thread), and the web queue already runs 2 jobs at once (see Web " +
                  "throughput). Worth re-checking on an idle machine before changing `Colorizer:Threads`."
                : ratio < 0.90
                ? $"One net with {tp.SequentialThreads} threads did {1 / ratio:0.00}× the images per second of two single-threaded nets: kept as it is " +
                  "(one net, OpenCV's default thread count, `Colorizer:Threads` = 0)."
                : $"Equal within the noise ({ratio:0.00}×): the forward pass already keeps both cores busy. Kept: one net with OpenCV's default " +
                  "thread count (`Colorizer:Threads` = 0), which also gives the lowest latency per image; a second net would only cost memory.";
            Line($"**What we tried / kept / why.** {verdict}");
            Line();
        }
    }

    private void Precision()
    {
        if (explore.Precision.Count == 0)
            return;
        Line("### Lower precision (FP16)");
        Line();
        Line($"A direct net with `SetPreferableBackend(OPENCV)` and the target below, against an FP32 CPU net in the same child process on the " +
             $"same 224×224 input; logits of `conv8_313` compared element by element. OpenCvSharp's `Target` enum names: {string.Join(", ", explore.TargetNames)}.");
        Line();
        Line("| target | runs? | forward, median | FP32 in the same child | max abs diff of logits | mean abs diff | largest FP32 logit | OpenCV said |");
        Line("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var p in explore.Precision)
        {
            string said = p.Messages.Count > 0 ? string.Join("<br>", p.Messages.Select(Escape)) : "—";
            if (!p.Ran)
                said = Escape(p.Error ?? "failed") + (p.Messages.Count > 0 ? "<br>" + said : "");
            Line($"| {p.Name} (= {p.TargetValue}) | {(p.Ran ? "yes" : "**no**")} | {(p.Ran ? Ms(Stats.Median(p.Ms)) : "—")} | {Ms(Stats.Median(p.Fp32Ms))} | " +
                 $"{(p.Ran ? p.MaxAbsDiff.ToString("G3", CultureInfo.InvariantCulture) : "—")} | {(p.Ran ? p.MeanAbsDiff.ToString("G3", CultureInfo.InvariantCulture) : "—")} | " +
                 $"{(p.Ran ? p.MaxAbsLogit.ToString("0.##", CultureInfo.InvariantCulture) : "—")} | {said} |");
        }
        Line();
        var notes = new List<string>();
        foreach (var p in explore.Precision)
        {
            if (!p.Ran)
                notes.Add($"{p.Name} does not run here ({p.Error}).");
            else if (p.MaxAbsDiff == 0)
                notes.Add($"{p.Name} loads and runs without an error, but its logits are bit-identical to FP32: OpenCV fell back to the FP32 CPU path " +
                          $"({(p.Messages.Count > 0 ? "its warning is in the table" : "silently")}); its {Ms(Stats.Median(p.Ms))} ms against " +
                          $"{Ms(Stats.Median(p.Fp32Ms))} ms for FP32 is the same work, the difference is the shared machine's noise.");
            else
                notes.Add($"{p.Name} runs at {Ms(Stats.Median(p.Ms))} against {Ms(Stats.Median(p.Fp32Ms))} ms for FP32, max |Δ logit| " +
                          $"{p.MaxAbsDiff:G3} (logits up to {p.MaxAbsLogit:0.#}).");
        }
        bool faster = explore.Precision.Any(p => p.Ran && p.MaxAbsDiff > 0 && Stats.Median(p.Ms) < 0.85 * Stats.Median(p.Fp32Ms));
        Line($"**What we tried / kept / why.** {string.Join(" ", notes)} " +
             (faster
                 ? "A faster FP16 path exists here; not switched on in this round: its colour differences need checking on the real weights first."
                 : "Kept: FP32 on the CPU target: no lower-precision path is faster on this x86 CPU with OpenCV's own backend."));
        Line();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    private static string Ms(double value) => double.IsNaN(value) ? "—" : value < 10 ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture);

    private static string S(double milliseconds) => double.IsNaN(milliseconds) ? "—" : (milliseconds / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private void Line(string text = "") => _text.Append(text).Append('\n');
}
