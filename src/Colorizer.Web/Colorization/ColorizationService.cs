using Colorizer.Core.Colorization;
using Colorizer.Core.Models;

namespace Colorizer.Web.Colorization;

/// <summary>
/// The way into the engine for the page and the API alike: checks the model is ready, takes a place in the shared
/// <see cref="WorkQueue"/> (refusing at once when it is full), waits its turn and runs the work.
/// </summary>
public sealed class ColorizationService(ModelHost models, WorkQueue queue)
{
    /// <summary>The models host.</summary>
    public ModelHost Models => models;

    /// <summary>
    /// Decodes and colorizes <paramref name="encoded"/>. <paramref name="onQueuePosition"/> hears the place in line
    /// (0 when running). Throws the Core exception family for bad input, <see cref="Core.ModelNotReadyException"/> and
    /// <see cref="Core.WorkQueueFullException"/>. The caller owns the result.
    /// </summary>
    public async Task<ColorizedImage> ColorizeAsync(ReadOnlyMemory<byte> encoded, ColorizationOptions options,
        Action<int>? onQueuePosition = null, CancellationToken ct = default)
    {
        options.Validate();
        var engine = models.ReadyEngine();
        using var ticket = await EnterAsync(onQueuePosition, ct);
        return await engine.ColorizeAsync(encoded, options, models.Limits, ct);
    }

    /// <summary>Runs the network again on <paramref name="image"/> with new options (another render size).</summary>
    public async Task RecolorizeAsync(ColorizedImage image, ColorizationOptions options,
        Action<int>? onQueuePosition = null, CancellationToken ct = default)
    {
        options.Validate();
        var engine = models.ReadyEngine();
        using var ticket = await EnterAsync(onQueuePosition, ct);
        await engine.RecolorizeAsync(image, options, ct);
    }

    private async Task<WorkTicket> EnterAsync(Action<int>? onQueuePosition, CancellationToken ct)
    {
        var ticket = queue.Enter();
        try
        {
            if (onQueuePosition is not null)
            {
                ticket.PositionChanged += t => onQueuePosition(t.Position);
                onQueuePosition(ticket.Position);
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
