using Colorizer.Core.Colorization;
using Colorizer.Core.Imaging;
using Colorizer.Core.Models;
using Colorizer.Core.Models.Catalogue;
using Colorizer.Core.Restoration;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Colorization;

/// <summary>
/// The way into the engine for the page and the API alike: checks the model is ready, takes a place in the shared
/// <see cref="WorkQueue"/> (refusing at once when it is full), waits its turn and runs the work, all within
/// <see cref="WorkQueueOptions.Deadline"/>. The options name the model: the 2016 network must be ready; a DDColor or
/// DeOldify file must be downloaded (else its download starts and the call is refused for now), and is loaded by the
/// first job that needs it, on its turn in the queue, once for every job that waits for it. A photo colorized from
/// its file is charged to the <see cref="MemoryBudget"/> (its file and its decoded working set, from the header)
/// before it takes a place in the queue, and waits there for room within the deadline; so is all other work on pixels
/// (a re-run, another model's prediction, repairs, a reference photo, a photo read back from disk), charged the working
/// set of the image it works on (<see cref="AdmissionOptions.EstimateWorkingSet"/>).
/// </summary>
public sealed class ColorizationService(ModelHost models, WorkQueue queue, IOptions<WorkQueueOptions> settings, ModelLibrary? library = null,
    MemoryBudget? budget = null, IOptions<AdmissionOptions>? admission = null)
{
    /// <summary>The memory budget for images in flight, or null when this service was made without one (then nothing is charged).</summary>
    public MemoryBudget? Budget => budget;

    private static readonly AdmissionOptions DefaultAdmission = new();

    private AdmissionOptions Admission => admission?.Value ?? DefaultAdmission;

    /// <summary>Bytes a colorization is charged per pixel of its photo (<see cref="AdmissionOptions.BytesPerPixel"/>).</summary>
    public int BytesPerPixel => Admission.BytesPerPixel;

    /// <summary>What work on an image of <paramref name="width"/> × <paramref name="height"/> is charged (<see cref="AdmissionOptions.EstimateWorkingSet"/>).</summary>
    public long EstimateWorkingSet(int width, int height) => Admission.EstimateWorkingSet(width, height);

    /// <summary>
    /// What decoding and colorizing <paramref name="encoded"/> will hold, estimated from its header: pixels ×
    /// <see cref="BytesPerPixel"/>. 0 when the header cannot be read or is over the limits: the decoder refuses such
    /// a file before it allocates anything.
    /// </summary>
    public long EstimateWorkingSet(ReadOnlySpan<byte> encoded)
    {
        if (ImageFormatDetector.Detect(encoded) is not { } format || !ImageHeader.TryReadSize(encoded, format, out int width, out int height))
            return 0;
        var limits = models.Limits;
        long pixels = (long)width * height;
        if (width > limits.MaxSide || height > limits.MaxSide || pixels > limits.MaxPixels)
            return 0;
        return EstimateWorkingSet(width, height);
    }

    /// <summary>
    /// Takes <paramref name="bytes"/> of the <see cref="Budget"/> for work on pixels memory holds already (a preview
    /// render, a download's encode), waiting for room within the deadline as work does; <paramref name="onWaiting"/>
    /// hears when it has to wait. Null when there is no budget or nothing to charge; the caller disposes the lease when
    /// the work ends. Throws <see cref="DeadlineExceededException"/> naming the budget when the deadline passes first,
    /// <see cref="OperationCanceledException"/> when <paramref name="ct"/> is cancelled.
    /// </summary>
    public Task<MemoryLease?> ChargeAsync(long bytes, Action? onWaiting = null, CancellationToken ct = default) =>
        WaitForRoomAsync(deadline => WaitForMemoryAsync(bytes, onWaiting, deadline), ct);

    /// <summary>
    /// Runs <paramref name="wait"/> (a wait for room in the <see cref="Budget"/>) with a token that also ends at the
    /// deadline; a deadline that passes first is a <see cref="DeadlineExceededException"/> naming the budget.
    /// </summary>
    internal async Task<T> WaitForRoomAsync<T>(Func<CancellationToken, Task<T>> wait, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        try
        {
            return await wait(deadline.Token);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new DeadlineExceededException(Deadline, whileWaiting: true, ex, budget?.Capacity);
        }
    }

    // A working lease for bytes, telling onWaiting when they do not fit at once; null without a budget or bytes.
    private async Task<MemoryLease?> WaitForMemoryAsync(long bytes, Action? onWaiting, CancellationToken ct)
    {
        if (budget is null || bytes <= 0)
            return null;
        var charge = budget.AcquireWorkingAsync(bytes, ct);
        if (!charge.IsCompleted)
            onWaiting?.Invoke();
        return await charge;
    }

    /// <summary>The models host.</summary>
    public ModelHost Models => models;

    /// <summary>Jobs the shared queue runs at once.</summary>
    public int Concurrency => queue.Concurrency;

    /// <summary>Every model of the catalogue, with its state.</summary>
    public ModelLibrary Library => library ?? throw new InvalidOperationException("This service was made without the model library.");

    // Throws ModelNotReadyException when the model cannot run now; the 2016 network's engine comes with it.
    private ColorizationEngine? Ready(ColorModel model)
    {
        if (!model.IsOnnxFile)
            return models.ReadyEngine();
        Library.EnsureAvailable(model);
        return null;
    }

    // On the job's turn: the 2016 network as it is, or the ONNX model leased (and loaded, the first time) for the job.
    private async Task<T> WithEngineAsync<T>(ColorModel model, ColorizationEngine? ready, Func<ColorizationEngine, Task<T>> work, CancellationToken ct)
    {
        if (ready is not null)
            return await work(ready);
        using var lease = await Library.AcquireAsync(model, ct: ct);
        return await work(lease.Engine);
    }

    /// <summary>
    /// The bin centres <paramref name="modelId"/>'s predictions are decoded with: the 2016 network's (throws
    /// <see cref="Core.ModelNotReadyException"/> before it is ready), the release's for the models without a distribution.
    /// </summary>
    public Core.Models.BinCentres BinsFor(string modelId) =>
        ModelCatalogue.Get(modelId).IsOnnxFile ? Core.Models.BinCentres.Release : models.ReadyEngine().Bins;

    /// <summary>How long one colorization may wait and work, together.</summary>
    public TimeSpan Deadline => settings.Value.Deadline;

    /// <summary>
    /// Decodes and colorizes <paramref name="encoded"/>. <paramref name="onQueuePosition"/> hears the place in line
    /// (0 when running). Throws the Core exception family for bad input, <see cref="Core.ModelNotReadyException"/>,
    /// <see cref="Core.WorkQueueFullException"/> and <see cref="DeadlineExceededException"/>; cancelling
    /// <paramref name="ct"/> throws <see cref="OperationCanceledException"/>. The caller owns the result. With
    /// <paramref name="waitForRoom"/> a full line is waited out (within the deadline) instead of refused: the page's own
    /// photos, which already wait their turn in their tab, would rather wait than fail. With a <see cref="Budget"/>,
    /// <paramref name="lease"/> (the API's, holding the request's upload) grows by the working set before the job
    /// takes its place in the queue, waiting for room within the deadline; without one, a lease for the file and the
    /// working set is taken and given back when the work ends. The work holds the lease until it really ends, even past
    /// an answer given at the deadline.
    /// </summary>
    /// <remarks>
    /// When the deadline passes (or <paramref name="ct"/> is cancelled) while the engine is inside a stage that cannot
    /// be interrupted (a decode, a forward pass), this returns at once; the work stops at its next stage, and only
    /// then gives back its place in the queue and frees anything it made, so the queue never runs more than its
    /// concurrency.
    /// </remarks>
    public async Task<ColorizedImage> ColorizeAsync(ReadOnlyMemory<byte> encoded, ColorizationOptions options,
        Action<int>? onQueuePosition = null, bool waitForRoom = false, string? client = null, MemoryLease? lease = null,
        CancellationToken ct = default)
    {
        options.Validate();
        var model = ModelCatalogue.Get(options.Model);
        var engine = Ready(model);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        bool running = false, waitingForMemory = false;
        MemoryLease? own = null;
        IDisposable? hold = null;
        try
        {
            if (budget is not null)
            {
                waitingForMemory = true;
                long working = EstimateWorkingSet(encoded.Span);
                lease ??= own = await budget.AcquireAsync(encoded.Length, deadline.Token);
                await lease.GrowAsync(working, deadline.Token);
                hold = lease.Hold();
                waitingForMemory = false;
            }
            double cost = ColorizationCost.Estimate(model, options.RenderSize, encoded.Length);
            var ticket = await EnterAsync(onQueuePosition, deadline.Token, waitForRoom, client, cost);
            running = true;
            var work = RunAsync(ticket, hold, model, engine, encoded, options, deadline.Token);
            hold = null;
            try
            {
                return await work.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Abandon(work);
                throw;
            }
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new DeadlineExceededException(Deadline, whileWaiting: !running, ex,
                waitingForMemory && budget is not null ? budget.Capacity : null);
        }
        finally
        {
            hold?.Dispose();
            own?.Dispose();
        }
    }

    /// <summary>
    /// Runs the network again on <paramref name="image"/> with new options (another render size), within the
    /// deadline. It changes <paramref name="image"/> in place, so on cancellation it returns only once the engine has
    /// let go of it. Charged the photo's working set before it takes its place in the queue;
    /// <paramref name="onWaitingForMemory"/> hears when that has to wait for room.
    /// </summary>
    public async Task RecolorizeAsync(ColorizedImage image, ColorizationOptions options,
        Action<int>? onQueuePosition = null, string? client = null, Action? onWaitingForMemory = null, CancellationToken ct = default)
    {
        options.Validate();
        var model = ModelCatalogue.Get(options.Model);
        var engine = Ready(model);
        double cost = ColorizationCost.Estimate(model, options.RenderSize, 0);
        await InTurnAsync(onQueuePosition, deadline => WithEngineAsync(model, engine, async e =>
        {
            await e.RecolorizeAsync(image, options, deadline);
            return true;
        }, deadline), client, cost, new Charge(EstimateWorkingSet(image.Width, image.Height), onWaitingForMemory), ct);
    }

    /// <summary>
    /// Runs the model of <paramref name="options"/> on <paramref name="image"/>'s source, through the queue within the
    /// deadline, without touching the image: another model's prediction for the same photo, to compare with. The
    /// caller keeps the image alive meanwhile. Charged the photo's working set, as <see cref="RecolorizeAsync"/> is.
    /// </summary>
    public async Task<(ChromaPrediction Prediction, Core.Models.BinCentres Bins)> PredictAsync(ColorizedImage image, ColorizationOptions options,
        Action<int>? onQueuePosition = null, string? client = null, Action? onWaitingForMemory = null, CancellationToken ct = default)
    {
        options.Validate();
        var model = ModelCatalogue.Get(options.Model);
        var engine = Ready(model);
        double cost = ColorizationCost.Estimate(model, options.RenderSize, 0);
        return await InTurnAsync(onQueuePosition, deadline => WithEngineAsync(model, engine, async e =>
            (await e.PredictAsync(image.Source, options.RenderSize, deadline), e.Bins), deadline), client, cost,
            new Charge(EstimateWorkingSet(image.Width, image.Height), onWaitingForMemory), ct);
    }

    /// <summary>
    /// Colorizes an already decoded (typically repaired) image through the queue within the deadline, taking ownership
    /// of it: it is disposed with the result, or at once on failure. The caller owns the result. Charged the image's
    /// working set, as <see cref="RecolorizeAsync"/> is.
    /// </summary>
    public async Task<ColorizedImage> ColorizeAsync(DecodedImage image, ColorizationOptions options,
        Action<int>? onQueuePosition = null, string? client = null, Action? onWaitingForMemory = null, CancellationToken ct = default)
    {
        // The engine owns the image from the moment it is handed over; until then (refused, cancelled in line) it is ours to free.
        bool handedOver = false;
        try
        {
            options.Validate();
            var model = ModelCatalogue.Get(options.Model);
            var engine = Ready(model);
            double cost = ColorizationCost.Estimate(model, options.RenderSize, 0);
            return await InTurnAsync(onQueuePosition, deadline => WithEngineAsync(model, engine, e =>
            {
                handedOver = true;
                return e.ColorizeAsync(image, options, deadline);
            }, deadline), client, cost, new Charge(EstimateWorkingSet(image.Width, image.Height), onWaitingForMemory), ct);
        }
        finally
        {
            if (!handedOver)
                image.Dispose();
        }
    }

    /// <summary>
    /// Repairs a copy of <paramref name="original"/> (which the caller keeps) on its turn in the queue, within the
    /// deadline: the repairs take seconds on a large scan, as long as a network pass or longer, so they wait their
    /// turn like one, counted by the photo's size, and are charged its working set (the copy and the steps' buffers)
    /// before they take their place. The caller owns the result.
    /// </summary>
    public Task<DecodedImage> RestoreAsync(DecodedImage original, RestorationOptions restoration,
        Action<int>? onQueuePosition = null, string? client = null, Action? onWaitingForMemory = null, CancellationToken ct = default)
    {
        restoration.Validate();
        double cost = Math.Clamp((double)original.Width * original.Height / PixelsPerRestoreUnit, 1, WorkQueue.ExpensiveCost);
        return InTurnAsync(onQueuePosition, deadline => Task.Run(() =>
        {
            deadline.ThrowIfCancellationRequested();
            return PhotoRestorer.ApplyToCopy(original, restoration);
        }, deadline), client, cost, new Charge(EstimateWorkingSet(original.Width, original.Height), onWaitingForMemory), ct);
    }

    // About a default network pass's worth of repair work (the four steps on a 3-megapixel scan take a few seconds).
    private const double PixelsPerRestoreUnit = 3e6;

    /// <summary>
    /// Runs other heavy work on its turn in the same queue, within the deadline: decoding a reference photo (up to the
    /// upload limits) then costs a place in line like a photo does, and no number of them can run at once. The work is
    /// charged <paramref name="memory"/> bytes of the budget (its working set, e.g. <see cref="EstimateWorkingSet(ReadOnlySpan{byte})"/>
    /// of a photo to decode) before it takes its place, until it has finished.
    /// </summary>
    public Task<T> RunQueuedAsync<T>(Func<T> work, string? client = null, long memory = 0, CancellationToken ct = default) =>
        InTurnAsync(null, deadline => Task.Run(work, deadline), client, 1, new Charge(memory, null), ct);

    // Bytes of the budget work is charged, and who hears when they have to wait for room.
    private readonly record struct Charge(long Bytes, Action? OnWaiting);

    // Waits for room in the budget for its charge, then its turn, then runs work holding both until the work has
    // finished (so the queue never runs more than its concurrency, and the budget counts what really is in flight), all
    // within the deadline, which then surfaces as DeadlineExceededException (naming the budget when it waited for room).
    private async Task<T> InTurnAsync<T>(Action<int>? onQueuePosition, Func<CancellationToken, Task<T>> work, string? client, double cost,
        Charge charge, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Deadline);
        bool running = false, waitingForMemory = true;
        try
        {
            using var memory = await WaitForMemoryAsync(charge.Bytes, charge.OnWaiting, deadline.Token);
            waitingForMemory = false;
            using var ticket = await EnterAsync(onQueuePosition, deadline.Token, client: client, cost: cost);
            running = true;
            return await work(deadline.Token);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new DeadlineExceededException(Deadline, whileWaiting: !running, ex, waitingForMemory ? budget?.Capacity : null);
        }
    }

    private async Task<ColorizedImage> RunAsync(WorkTicket ticket, IDisposable? memory, ColorModel model, ColorizationEngine? engine,
        ReadOnlyMemory<byte> encoded, ColorizationOptions options, CancellationToken ct)
    {
        using (memory)
        using (ticket)
            return await WithEngineAsync(model, engine, e => e.ColorizeAsync(encoded, options, models.Limits, ct), ct);
    }

    /// <summary>Work nobody waits for any more: a result that still arrives is freed, a failure is observed.</summary>
    private static void Abandon(Task<ColorizedImage> work) =>
        work.ContinueWith(static done =>
        {
            if (done.IsCompletedSuccessfully)
                done.Result.Dispose();
            else
                _ = done.Exception;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    // The queue serves clients fairly by cost (WorkQueue): a client is a page tab or an API caller's address.
    private async Task<WorkTicket> EnterAsync(Action<int>? onQueuePosition, CancellationToken ct, bool waitForRoom = false,
        string? client = null, double cost = 1)
    {
        WorkTicket ticket;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                ticket = queue.Enter(client, cost);
                break;
            }
            catch (Core.WorkQueueFullException) when (waitForRoom)
            {
                await queue.WaitForRoomAsync(client, cost, ct);
            }
        }
        try
        {
            if (onQueuePosition is not null)
            {
                // Reports come from whichever thread moved the line, so they can cross: once running was reported, a
                // late place in line is not.
                var gate = new Lock();
                bool reportedRunning = false;
                void Report(int position)
                {
                    lock (gate)
                    {
                        if (reportedRunning && position > 0)
                            return;
                        reportedRunning |= position == 0;
                        onQueuePosition(position);
                    }
                }
                ticket.PositionChanged += t => Report(t.IsRunning ? 0 : t.Position);
                Report(ticket.IsRunning ? 0 : ticket.Position);
            }
            await ticket.WaitTurnAsync(ct);
            return ticket;
        }
        catch
        {
            ticket.Dispose();
            throw;
        }
    }
}
