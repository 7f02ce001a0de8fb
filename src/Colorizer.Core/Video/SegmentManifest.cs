using System.Text.Json;
using Colorizer.Core.IO;

namespace Colorizer.Core.Video;

/// <summary>
/// The record of a resumable video's finished segments, kept in its segment folder beside the output and rewritten
/// atomically after each segment: a killed run leaves either the old or the new manifest, never half of one.
/// </summary>
internal sealed record SegmentManifest
{
    public const string FileName = "manifest.json";

    /// <summary>What the segments were made from and how: a rerun with other input or options starts again.</summary>
    public required string Identity { get; init; }

    public required int SegmentFrames { get; init; }

    /// <summary>The input's full path, for the audio when parts are joined.</summary>
    public string Input { get; init; } = "";

    /// <summary>For a part of a video: its first segment and the one after its last (int.MaxValue: to the end).</summary>
    public int FirstSegment { get; init; }

    public int EndSegment { get; init; } = int.MaxValue;

    /// <summary>Every segment of the span is finished (set by a part when it reaches its end).</summary>
    public bool Complete { get; set; }

    public List<FinishedSegment> Segments { get; init; } = [];

    /// <summary>The hidden folder beside <paramref name="output"/> where its segments are kept until they are joined.</summary>
    public static string FolderFor(string output) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, "." + Path.GetFileName(output) + ".segments");

    /// <summary>The manifest in <paramref name="folder"/> if it is for <paramref name="identity"/>; null when missing, unreadable or for other work.</summary>
    public static SegmentManifest? Load(string folder, string identity, int segmentFrames, string fileName = FileName)
    {
        string path = Path.Combine(folder, fileName);
        if (!File.Exists(path))
            return null;
        try
        {
            var manifest = JsonSerializer.Deserialize<SegmentManifest>(File.ReadAllText(path));
            if (manifest is null || manifest.Identity != identity || manifest.SegmentFrames != segmentFrames)
                return null;
            // A segment recorded but gone (or cut short on disk) is done again.
            manifest.Segments.RemoveAll(s => !File.Exists(Path.Combine(folder, s.File)) || new FileInfo(Path.Combine(folder, s.File)).Length != s.Bytes);
            return manifest;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a manifest without checking what it is for (the join reads the parts' own).</summary>
    public static SegmentManifest? Read(string path)
    {
        if (!File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<SegmentManifest>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public Task SaveAsync(string folder, CancellationToken ct, string fileName = FileName) =>
        AtomicFile.WriteAllBytesAsync(Path.Combine(folder, fileName), JsonSerializer.SerializeToUtf8Bytes(this), ct);

    /// <summary>The file name of segment <paramref name="index"/>.</summary>
    public static string SegmentFile(int index) => $"segment-{index:D6}.mp4";
}

/// <summary>One finished segment: its frames, its file and what it took.</summary>
internal sealed record FinishedSegment(int Index, int Frames, string File, long Bytes, int ForwardPasses, int KeyFrames, int SceneCuts);
