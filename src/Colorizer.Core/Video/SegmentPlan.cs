using Colorizer.Core.IO;
using OpenCvSharp;

namespace Colorizer.Core.Video;

/// <summary>
/// The segments of a resumable run: the ones the manifest has are skipped (but for the few frames before a missing
/// one, which warm up the steadying so that no seam shows), the others are encoded each into a file of its own,
/// renamed into place and recorded in the manifest when complete.
/// </summary>
internal sealed class SegmentPlan(string ffmpeg, string folder, SegmentManifest manifest, int width, int height, double fps, int quality,
    string manifestName = SegmentManifest.FileName)
    : FramePlan, IAsyncDisposable
{
    /// <summary>Frames coloured, not written, before a segment that follows a finished one.</summary>
    internal const int WarmUpFrames = 8;

    private readonly HashSet<int> _done = manifest.Segments.Select(s => s.Index).ToHashSet();
    private readonly int _length = manifest.SegmentFrames;
    private FfmpegSink? _sink;
    private string? _temporary;
    private int _segment = -1, _frames;
    private (int Passes, int KeyFrames, int Cuts) _atStart;
    private FrameCounts? _last;

    public override FrameRole RoleOf(int index)
    {
        int segment = index / _length;
        if (segment >= manifest.EndSegment)
            return FrameRole.Stop;
        // Before a part's span: decoded only, but for the warm-up before its first segment.
        if (segment < manifest.FirstSegment)
            return index >= manifest.FirstSegment * _length - WarmUpFrames && !_done.Contains(manifest.FirstSegment) ? FrameRole.WarmUp : FrameRole.Skip;
        if (!_done.Contains(segment))
            return FrameRole.Write;
        int next = segment + 1;
        return !_done.Contains(next) && index >= next * _length - WarmUpFrames ? FrameRole.WarmUp : FrameRole.Skip;
    }

    public override bool StartsSegment(int index) => index % _length == 0;

    public override async Task StartFrameAsync(int index, FrameCounts counts, CancellationToken ct)
    {
        int segment = index / _length;
        _last = counts;
        if (segment == _segment)
            return;
        await FinishSegmentAsync(counts, ct).ConfigureAwait(false);
        _segment = segment;
        _frames = 0;
        _atStart = (counts.Passes, counts.KeyFrames, counts.Cuts);
        _temporary = AtomicFile.TemporaryPathFor(Path.Combine(folder, SegmentManifest.SegmentFile(segment)));
        _sink = new FfmpegSink(ffmpeg, _temporary, width, height, fps, quality, audioSource: null);
    }

    public override async Task WriteAsync(int index, Mat frame, CancellationToken ct)
    {
        await _sink!.WriteAsync(frame, ct).ConfigureAwait(false);
        _frames++;
    }

    /// <summary>Completes the segment being written, if any, and records that the whole span is done.</summary>
    public async Task FinishAsync(CancellationToken ct)
    {
        if (_last is not null)
            await FinishSegmentAsync(_last, ct).ConfigureAwait(false);
        manifest.Complete = true;
        await manifest.SaveAsync(folder, ct, manifestName).ConfigureAwait(false);
    }

    private async Task FinishSegmentAsync(FrameCounts counts, CancellationToken ct)
    {
        if (_sink is null || _temporary is null)
            return;
        await _sink.CompleteAsync(ct).ConfigureAwait(false);
        await _sink.DisposeAsync().ConfigureAwait(false);
        _sink = null;
        string file = SegmentManifest.SegmentFile(_segment);
        string path = Path.Combine(folder, file);
        File.Move(_temporary, path, overwrite: true);
        _temporary = null;
        manifest.Segments.RemoveAll(s => s.Index == _segment);
        manifest.Segments.Add(new FinishedSegment(_segment, _frames, file, new FileInfo(path).Length,
            counts.Passes - _atStart.Passes, counts.KeyFrames - _atStart.KeyFrames, counts.Cuts - _atStart.Cuts));
        await manifest.SaveAsync(folder, ct, manifestName).ConfigureAwait(false);
        _done.Add(_segment);
    }

    public async ValueTask DisposeAsync()
    {
        // Interrupted in the middle of a segment: that segment is done again next time.
        if (_sink is not null)
            await _sink.DisposeAsync().ConfigureAwait(false);
        if (_temporary is not null && File.Exists(_temporary))
            File.Delete(_temporary);
    }
}
