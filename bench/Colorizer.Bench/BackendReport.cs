using System.Globalization;
using System.Text;

namespace Colorizer.Bench;

/// <summary>The "## Inference backends" section: OpenCV DNN against ONNX Runtime, ORT's option variants, the output difference.</summary>
internal sealed class BackendReport(BackendBenchResult bench)
{
    // Within this share of each other, two medians are called even: the shared machine moves them about that much.
    private const double Even = 0.05;

    private readonly StringBuilder _text = new();

    public string Markdown()
    {
        _text.Clear();
        var loads = bench.Runs.Select(r => ParseLoad(r.LoadAverage)).Where(l => !double.IsNaN(l)).ToList();
        double highest = loads.Count > 0 ? loads.Max() : double.NaN;
        Line("## Inference backends: OpenCV DNN against ONNX Runtime");
        Line();
        Line($"Generated on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC ({(bench.Quick ? "quick run: treat as rough" : "full run")}, {bench.ElapsedMs / 60000:0.0} min); " +
             "alone: `dotnet run -c Release --project bench/Colorizer.Bench -- --backends`. OpenCV " + bench.OpenCvVersion +
             " (DNN backend OPENCV, target CPU, OpenCV's default thread count) against ONNX Runtime " + bench.OrtVersion +
             " (CPU, FP32, `OnnxColorizationNetwork` as issue 13 ships it), on the same synthetic full-size weights as above and the same input: " +
             $"the {bench.PhotoLabel} benchmark photo as `RawNet.Input` makes it (L at size×size, minus 50).");
        Line();
        Line($"**Machine load**: 1-minute load average {bench.LoadAverageStart} at the start and {bench.LoadAverageEnd} at the end; " +
             $"{Range(loads)} at the start of the children; the machine's {Environment.ProcessorCount} cores were " +
             $"{bench.MachineBusyShare * 100:0} % busy over the part, this benchmark's children included." +
             (highest > 3
                 ? $" **The machine was very loaded during this run (load average up to {highest:0.##} on {Environment.ProcessorCount} cores): " +
                   "wall times are inflated and noisy; the CPU times per pass are the steadier measure.**"
                 : ""));
        Line();
        Line("**Method.** Each (backend or option variant, render size) runs in a child process of its own (the benchmark re-invokes itself " +
             "with `--backend-one`), so its resident memory is its own: the input is prepared, then the net is loaded (*load*: OpenCV reads " +
             "the trimmed prototxt and the weights into a `Net`, and sizes its buffers only in the first pass; ONNX Runtime reads the blobs, " +
             "builds the ONNX graph in memory and opens the session, graph optimisations included), one *first pass* warms it up, then " +
             $"{bench.Passes[224]} passes at 224 and {bench.Passes[448]} at 448 are timed, wall time and the process's CPU time (user + system, " +
             $"all threads, `getrusage` through `Environment.CpuUsage`), with a {BackendRun.IdleGapMs} ms pause after each (where the app " +
             "decodes and encodes). The children run interleaved (OpenCV, ORT, the ORT variants, OpenCV at 448, ORT at 448), " +
             $"{bench.Rounds} rounds, and the samples of a row are pooled over the rounds, so that other work on the shared machine falls on " +
             "all of them alike; load times and memory are the median over the rounds. RSS is `VmRSS` of `/proc/self/status` (*before*: " +
             "the .NET runtime and OpenCV with the input ready, no net yet), *peak* is `VmHWM` at the end of the timed passes, *after full GC* the " +
             "RSS once the passes are done and an aggressive (compacting, decommitting) full GC has run: what the process keeps for the net " +
             "when the garbage of the load is gone, which the app would get to only when the GC next runs. A pass is what the " +
             "engine does: OpenCV's blob, pass and the logits copied out of its Mat; ORT's pass writing the logits straight into the " +
             "prediction's array.");
        Line();
        Backends();
        Variants();
        Differences();
        Verdict();
        Line("**Caveat.** The weights are seeded random (`SyntheticModels.WriteFullSize`): the release's architecture and cost, not its " +
             "colours. Speed and memory transfer to the real weights (same layers, same shapes, same number of weights); the output " +
             "difference only says that the conversion is faithful on these weights, not how different real colourings would look.");
        Line();
        return _text.ToString();
    }

    private void Backends()
    {
        Line("### Backend × render size");
        Line();
        Line("| backend | render size | load | first pass | forward wall, median / p90 | CPU per pass, median / p90 | RSS before load | RSS after load | " +
             "RSS after warm-up | peak | RSS after full GC | threads added | passes | wall median per round |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int size in BackendBench.Sizes)
        {
            foreach (var variant in BackendVariant.Backends)
                Row(variant.Backend, Pool(variant, size), size);
        }
        Line();
        foreach (int size in BackendBench.Sizes)
        {
            var cv = Pool(BackendVariant.OpenCv, size);
            var ort = Pool(BackendVariant.Ort, size);
            int won = ort.RoundWallMedians.Zip(cv.RoundWallMedians).Count(pair => pair.First < pair.Second);
            Line($"- At {size}: ONNX Runtime's wall time is **{Ratio(ort.WallMedian, cv.WallMedian)}** OpenCV's ({Ms(ort.WallMedian)} against {Ms(cv.WallMedian)} ms; " +
                 $"faster in {won} of {Math.Min(ort.Children, cv.Children)} rounds, each pair run back to back), " +
                 $"its CPU time per pass **{Ratio(ort.CpuMedian, cv.CpuMedian)}** ({Ms(ort.CpuMedian)} against {Ms(cv.CpuMedian)} ms), " +
                 $"its RSS after warm-up {Signed(ort.RssAfterWarmUp - cv.RssAfterWarmUp)} MiB ({ort.RssAfterWarmUp:0} against {cv.RssAfterWarmUp:0} MiB; " +
                 $"the managed heap then {ort.ManagedAfterWarmUp:0} against {cv.ManagedAfterWarmUp:0} MiB; RSS after the timed passes " +
                 $"{ort.RssAfterPasses:0} against {cv.RssAfterPasses:0} MiB), after a full GC " +
                 $"{Signed(ort.RssAfterCollect - cv.RssAfterCollect)} MiB ({ort.RssAfterCollect:0} against {cv.RssAfterCollect:0} MiB), " +
                 $"its load {Ms(ort.Load)} against {Ms(cv.Load)} ms and its first pass {Ms(ort.FirstPass)} against {Ms(cv.FirstPass)} ms.");
        }
        Line();
    }

    private void Row(string name, Pooled p, int size) =>
        Line($"| {name} | {size} | {Ms(p.Load)} ms | {Ms(p.FirstPass)} ms | **{Ms(p.WallMedian)}** / {Ms(p.WallP90)} ms | {Ms(p.CpuMedian)} / {Ms(p.CpuP90)} ms | " +
             $"{p.RssBefore:0} MiB | {p.RssAfterLoad:0} MiB | **{p.RssAfterWarmUp:0} MiB** | {p.Peak:0} MiB | {p.RssAfterCollect:0} MiB | " +
             $"{p.ThreadsAdded} | {p.Samples} ({p.Children}×{p.Samples / Math.Max(1, p.Children)}) | {Rounds(p)} |");

    private void Variants()
    {
        var shipped = Pool(BackendVariant.Ort, BackendBench.VariantSize);
        Line($"### ONNX Runtime options at {BackendBench.VariantSize}");
        Line();
        Line("The shipped session options (`IntraOpNumThreads` = 0, `InterOpNumThreads` = 1, `ORT_ENABLE_ALL`, sequential, " +
             "`session.intra_op.allow_spinning` = 0, ORT's CPU memory arena off, its memory pattern on) against one change each, applied through " +
             "`OnnxColorizationNetwork.Load`'s `tune` parameter after the defaults (threads 2 through its `threads` argument). " +
             $"*Idle CPU* is the process's CPU time during the {BackendRun.IdleGapMs} ms pause after each pass (what spinning workers burn " +
             "while the app does something else); *threads added* counts the process's threads after the warm-up against before the load.");
        Line();
        Line("| ORT options | forward wall, median / p90 | vs shipped | CPU per pass, median | vs shipped | idle CPU after a pass, median | " +
             "RSS after warm-up | vs shipped | peak | load | threads added | wall median per round |");
        Line("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var variant in BackendVariant.OrtVariants)
        {
            var p = Pool(variant, BackendBench.VariantSize);
            bool self = variant == BackendVariant.Ort;
            Line($"| {variant.Setting} | **{Ms(p.WallMedian)}** / {Ms(p.WallP90)} ms | {(self ? "—" : $"{p.WallMedian / shipped.WallMedian:0.00}×")} | " +
                 $"{Ms(p.CpuMedian)} ms | {(self ? "—" : $"{p.CpuMedian / shipped.CpuMedian:0.00}×")} | {Ms(p.IdleCpuMedian)} ms | " +
                 $"{p.RssAfterWarmUp:0} MiB | {(self ? "—" : Signed(p.RssAfterWarmUp - shipped.RssAfterWarmUp) + " MiB")} | {p.Peak:0} MiB | " +
                 $"{Ms(p.Load)} ms | {p.ThreadsAdded} | {Rounds(p)} |");
        }
        Line();

        // Threads 0 is one thread per physical core: where that is 2, the threads-2 row repeats the shipped one, and the gap
        // between the two is what the shared machine alone does to a row: no variant counts as better within it.
        var two = Pool(BackendVariant.OrtTwoThreads, BackendBench.VariantSize);
        var spin = Pool(BackendVariant.OrtSpinning, BackendBench.VariantSize);
        var arena = Pool(BackendVariant.OrtArena, BackendBench.VariantSize);
        bool sameConfig = two.ThreadsAdded == shipped.ThreadsAdded;
        double wallNoise = Math.Max(Even, sameConfig ? Math.Abs(two.WallMedian / shipped.WallMedian - 1) : 0);
        double cpuNoise = Math.Max(Even, sameConfig ? Math.Abs(two.CpuMedian / shipped.CpuMedian - 1) : 0);
        var notes = new List<string>();
        var better = new List<string>();
        foreach (var variant in BackendVariant.OrtVariants.Skip(1))
        {
            var p = Pool(variant, BackendBench.VariantSize);
            double wall = p.WallMedian / shipped.WallMedian, cpu = p.CpuMedian / shipped.CpuMedian;
            double memory = p.RssAfterWarmUp - shipped.RssAfterWarmUp;
            notes.Add($"*{variant.Setting}*: wall {Change(wall)}, CPU per pass {CpuChange(cpu)}, idle CPU {Ms(p.IdleCpuMedian)} against " +
                      $"{Ms(shipped.IdleCpuMedian)} ms, RSS {Signed(memory)} MiB." +
                      (Math.Abs(wall - 1) > Even && Math.Abs(cpu - 1) <= Even
                          ? " Its CPU per pass is the shipped one's, so the wall-time gap is the scheduler, not the option: with spinning off a pass " +
                            "takes about its CPU time when other work holds the second core and about half of it when both are free (wall medians " +
                            $"per round {Rounds(p)} against the shipped {Rounds(shipped)} ms)."
                          : ""));
            bool repeat = variant == BackendVariant.OrtTwoThreads && sameConfig;
            bool faster = wall < 1 - wallNoise && cpu < 1 + cpuNoise, leaner = cpu < 1 - cpuNoise && wall < 1 + wallNoise;
            if (!repeat && (faster || leaner) && memory < 50)
                better.Add(variant.Setting);
        }
        if (sameConfig)
            notes.Add($"Threads 0 and threads 2 start the same number of threads here ({shipped.ThreadsAdded}): ORT's default is one per physical " +
                      $"core, 2 on this machine, so the two rows are one configuration and the gap between them (wall {Change(two.WallMedian / shipped.WallMedian)}, " +
                      $"CPU {CpuChange(two.CpuMedian / shipped.CpuMedian)}) is this run's noise, the yardstick for the other rows.");
        if (bench.SpinningOverrideLogged)
            notes.Add("(With spinning on, ORT logged that the key `session.intra_op.allow_spinning` already held 0 and was overwritten: " +
                      "the variant did take effect.)");
        string spinning = spin.IdleCpuMedian > 5 * Math.Max(shipped.IdleCpuMedian, 0.5)
            ? $"Spinning on burnt {Ms(spin.IdleCpuMedian)} ms of CPU in each {BackendRun.IdleGapMs} ms pause (shipped: {Ms(shipped.IdleCpuMedian)} ms), " +
              "CPU that the app's decode, resize and encode would otherwise get. "
            : $"Spinning on burnt no more CPU in the pauses than shipped here ({Ms(spin.IdleCpuMedian)} against {Ms(shipped.IdleCpuMedian)} ms). ";
        Line("**What we tried / kept / why.** " + string.Join(" ", notes) + " " +
             (better.Count == 0
                 ? $"No change beats the shipped options by more than this run's noise (wall ±{wallNoise * 100:0} %, CPU ±{cpuNoise * 100:0} %) " +
                   "without costing CPU or memory: kept as shipped. " + spinning +
                   "Threads 0 is one per physical core (2 here). The arena changes the resident set after warm-up by " +
                   $"{Signed(arena.RssAfterWarmUp - shipped.RssAfterWarmUp)} MiB; it stays off because the engine runs two passes at once, " +
                   "and an arena keeps the largest overlap's memory for the life of the process."
                 : $"Better than shipped by more than this run's noise (wall ±{wallNoise * 100:0} %, CPU ±{cpuNoise * 100:0} %): " +
                   $"{string.Join("; ", better)}. {spinning}Not changed in this round (`OnnxColorizationNetwork` belongs to issue 13's owner, " +
                   "and a gain on a shared machine wants confirming on an idle one), but worth that re-check."));
        Line();
    }

    private void Differences()
    {
        Line("### Output difference");
        Line();
        Line("The first pass's logits of `conv8_313` from the two backends on the same input, element by element; then each decoded as the engine " +
             "does (`ChromaPrediction.DecodeAb(BinCentres.Release, 0.38, 1)`), joined with the photo's full-resolution lightness " +
             $"(`LabPipeline.Compose` on the decoded {bench.PhotoLabel} photo) and compared as the 8-bit BGR result a user gets: PSNR, the " +
             "largest difference of one channel value, and the share of channel values that differ at all.");
        Line();
        Line("| render size | logits: max abs diff | mean abs diff | largest logit | result: PSNR | largest 8-bit difference | values that differ |");
        Line("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var d in bench.Differences)
        {
            string psnr = double.IsPositiveInfinity(d.Psnr) ? "∞ (identical)" : $"{d.Psnr:0.0} dB";
            Line($"| {d.Size} | {G(d.MaxAbsDiff)} | {G(d.MeanAbsDiff)} | {d.MaxAbsLogit:0.##} | {psnr} | {d.MaxPixelDiff:0} | {d.DifferingValuesShare * 100:0.###} % |");
        }
        Line();
    }

    private void Verdict()
    {
        var ratios = BackendBench.Sizes.Select(size =>
        {
            var cv = Pool(BackendVariant.OpenCv, size);
            var ort = Pool(BackendVariant.Ort, size);
            return (Size: size, Wall: ort.WallMedian / cv.WallMedian, Cpu: ort.CpuMedian / cv.CpuMedian,
                WarmUp: ort.RssAfterWarmUp - cv.RssAfterWarmUp, Kept: ort.RssAfterCollect - cv.RssAfterCollect,
                Managed: ort.ManagedAfterWarmUp, Passes: ort.RssAfterPasses);
        }).ToList();
        string speed = string.Join("; ", ratios.Select(r => $"at {r.Size}, wall {Change(r.Wall)} and CPU per pass {CpuChange(r.Cpu)}"));
        // Faster: less wall time at no more CPU, or (wall time being what the shared machine disturbs most) less CPU at no more wall time.
        bool faster = ratios.All(r => (r.Wall < 1 - Even && r.Cpu < 1 + Even) || (r.Cpu < 1 - Even && r.Wall < 1 + Even));
        bool slower = !faster && ratios.Any(r => r.Wall > 1 + Even || r.Cpu > 1 + Even);
        // Heavier: more resident memory even once the load's garbage is returned; transient: more only until then.
        bool heavier = ratios.Any(r => r.Kept > 50);
        bool transient = !heavier && ratios.Any(r => r.WarmUp > 50);
        double cvGrowth = Pool(BackendVariant.OpenCv, ratios[0].Size).RssAfterWarmUp - Pool(BackendVariant.OpenCv, ratios[0].Size).RssAfterLoad;
        string warm = string.Join(", ", ratios.Select(r => $"{Signed(r.WarmUp)} MiB at {r.Size}"));
        string kept = string.Join(", ", ratios.Select(r => $"{Signed(r.Kept)} MiB at {r.Size}"));
        string memory = transient
            ? $"Its RSS after warm-up is higher than OpenCV's ({warm}), but that is the load's garbage, not the session: the managed heap " +
              $"is down to {ratios[0].Managed:0} MiB by then (the blobs read and the graph bytes built are freed), but the .NET GC returns " +
              "that memory to the OS only when it next runs (RSS after the timed passes: " +
              string.Join(", ", ratios.Select(r => $"{r.Passes:0} MiB at {r.Size}, after {bench.Passes[r.Size]} passes")) + "), and after an " +
              $"aggressive full GC the difference is {kept} (OpenCV's net grows by {cvGrowth:0} MiB in its first pass at " +
              $"{ratios[0].Size}, for its layer buffers)."
            : $"Its RSS after warm-up is {warm} against OpenCV's ({kept} after a full GC).";
        double worstDiff = bench.Differences.Count > 0 ? bench.Differences.Min(d => d.Psnr) : double.NaN;
        string faithful = bench.Differences.Count == 0
            ? ""
            : double.IsPositiveInfinity(worstDiff)
            ? " The decoded results are identical at both sizes."
            : $" The decoded results agree to {worstDiff:0.0} dB PSNR or better (largest 8-bit difference {bench.Differences.Max(d => d.MaxPixelDiff):0}).";
        string verdict = faster && !heavier
            ? $"**Default: ONNX Runtime.** Against OpenCV DNN, ONNX Runtime's forward pass: {speed}. {memory}{faithful} Faster on the same " +
              "weights for less CPU, with the output unchanged in effect: ORT is the default, OpenCV DNN stays as the fallback backend." +
              (transient
                  ? " Follow-up for `OnnxColorizationNetwork`'s owner (not changed here): an aggressive full GC once the session is open " +
                    "(as each child here runs at its end) would hand the load's garbage back at once instead of whenever the GC next runs."
                  : "")
            : faster
            ? $"**Default: ONNX Runtime, at a memory price.** Its forward pass: {speed}. {memory}{faithful} ORT stays the intended default " +
              "for speed; the memory cost is worth watching where several workers each hold a session."
            : slower
            ? $"**The numbers say otherwise.** ONNX Runtime was meant to be the default, but on this run its forward pass: {speed}. " +
              $"{memory}{faithful} On these numbers OpenCV DNN should remain the default until ORT is shown faster (re-run on a quieter " +
              "machine before deciding)."
            : $"**Even on speed.** ONNX Runtime's forward pass against OpenCV DNN's: {speed}, within the noise. {memory}{faithful} The speed " +
              "does not decide the default on this run; ORT stays the intended default only if its other merits hold.";
        Line("### Which is default, and why");
        Line();
        Line(verdict);
        Line();
    }

    private Pooled Pool(BackendVariant variant, int size)
    {
        var runs = bench.Runs.Where(r => r.Key == variant.Key && r.Size == size).ToList();
        var ms = runs.SelectMany(r => r.Ms).ToList();
        var cpu = runs.SelectMany(r => r.CpuMs).ToList();
        double Median(Func<BackendRunResult, double> value) => Stats.Median(runs.Select(value).ToList());
        return new Pooled(runs.Count, ms.Count, Median(r => r.LoadMs), Median(r => r.FirstPassMs), Stats.Median(ms), Stats.Percentile(ms, 90),
            Stats.Median(cpu), Stats.Percentile(cpu, 90), Stats.Median(runs.SelectMany(r => r.IdleCpuMs).ToList()),
            Median(r => r.RssBeforeMiB), Median(r => r.RssAfterLoadMiB), Median(r => r.RssAfterWarmUpMiB), Median(r => r.PeakMiB),
            Median(r => r.ManagedAfterWarmUpMiB), Median(r => r.RssAfterPassesMiB), Median(r => r.RssAfterCollectMiB), (int)Median(r => r.ThreadsAfterWarmUp - r.ThreadsBefore),
            runs.Select(r => Stats.Median(r.Ms)).ToList());
    }

    private sealed record Pooled(int Children, int Samples, double Load, double FirstPass, double WallMedian, double WallP90, double CpuMedian,
        double CpuP90, double IdleCpuMedian, double RssBefore, double RssAfterLoad, double RssAfterWarmUp, double Peak, double ManagedAfterWarmUp,
        double RssAfterPasses, double RssAfterCollect, int ThreadsAdded, List<double> RoundWallMedians);

    private static string Rounds(Pooled p) => string.Join(", ", p.RoundWallMedians.Select(Ms));

    private static double ParseLoad(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double load) ? load : double.NaN;

    private static string Range(List<double> loads) =>
        loads.Count == 0 ? "?" : $"{loads.Min().ToString("0.00", CultureInfo.InvariantCulture)}–{loads.Max().ToString("0.00", CultureInfo.InvariantCulture)}";

    private static string Ratio(double value, double reference) => $"{value / reference:0.00}×";

    private static string Change(double ratio) =>
        Math.Abs(ratio - 1) <= Even
            ? $"even ({ratio:0.00}×)"
            : ratio < 1
            ? $"{1 / ratio:0.00}× faster ({ratio:0.00}×)"
            : $"{ratio:0.00}× slower";

    private static string CpuChange(double ratio) =>
        Math.Abs(ratio - 1) <= Even
            ? $"even ({ratio:0.00}×)"
            : ratio < 1
            ? $"{(1 - ratio) * 100:0} % less ({ratio:0.00}×)"
            : $"{(ratio - 1) * 100:0} % more ({ratio:0.00}×)";

    private static string Signed(double value) => value >= 0 ? $"+{value:0}" : $"−{-value:0}";

    private static string G(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Ms(double value) =>
        double.IsNaN(value) ? "—" : value < 10 ? value.ToString("0.0", CultureInfo.InvariantCulture) : value.ToString("0", CultureInfo.InvariantCulture);

    private void Line(string text = "") => _text.Append(text).Append('\n');
}
