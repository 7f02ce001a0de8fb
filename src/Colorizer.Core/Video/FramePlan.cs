using OpenCvSharp;

namespace Colorizer.Core.Video;

/// <summary>What a frame is for in this run.</summary>
internal enum FrameRole
{
    /// <summary>Coloured and written.</summary>
    Write,
    /// <summary>Coloured but not written: it warms up the steadying before a segment that is written.</summary>
    WarmUp,
    /// <summary>Done in an earlier run (or by another part): only decoded.</summary>
    Skip,
    /// <summary>Past the end of what this run does: reading stops.</summary>
    Stop,
}

/// <summary>What the network passes, key frames and cuts of the written frames add up to so far.</summary>
internal sealed class FrameCounts
{
    public int Passes { get; set; }

    public int KeyFrames { get; set; }

    public int Cuts { get; set; }
}

/// <summary>Which frames a run colours and where the written ones go.</summary>
internal abstract class FramePlan
{
    public virtual FrameRole RoleOf(int index) => FrameRole.Write;

    /// <summary>True when frame <paramref name="index"/> starts a segment (which must start with a key frame).</summary>
    public virtual bool StartsSegment(int index) => false;

    /// <summary>Called before a frame to be written is coloured, with the counts before it.</summary>
    public virtual Task StartFrameAsync(int index, FrameCounts counts, CancellationToken ct) => Task.CompletedTask;

    public abstract Task WriteAsync(int index, Mat frame, CancellationToken ct);
}

/// <summary>Every frame, into one sink.</summary>
internal sealed class SinkPlan(IFrameSink sink) : FramePlan
{
    public override Task WriteAsync(int index, Mat frame, CancellationToken ct) => sink.WriteAsync(frame, ct);
}
