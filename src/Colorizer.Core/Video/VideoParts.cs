namespace Colorizer.Core.Video;

/// <summary>Joins the parts of a video that several runs (<see cref="VideoOptions.Part"/>) colorized into one folder.</summary>
public static class VideoParts
{
    private const string FolderSuffix = ".parts";

    /// <summary>The folder in <paramref name="directory"/> where the parts of <paramref name="input"/> are kept.</summary>
    public static string FolderFor(string directory, string input) =>
        Path.Combine(Path.GetFullPath(directory), Path.GetFileNameWithoutExtension(input) + FolderSuffix);

    /// <summary>
    /// Checks that every part in <paramref name="directory"/> is there and complete, then joins their segments, in
    /// order, into <paramref name="output"/> (written atomically) with the original video's audio when it is still
    /// where it was. Throws <see cref="VideoPartsException"/> naming what is missing.
    /// </summary>
    public static async Task<VideoJoinResult> JoinAsync(string directory, string output, CancellationToken ct = default)
    {
        if (!Directory.Exists(directory))
            throw new VideoPartsException($"{directory} does not exist.");
        var folders = Directory.GetDirectories(directory, "*" + FolderSuffix);
        if (folders.Length != 1)
            throw new VideoPartsException(folders.Length == 0
                ? $"{directory} holds no video parts (a folder ending in {FolderSuffix}, made by colorize --part)."
                : $"{directory} holds the parts of {folders.Length} videos ({string.Join(", ", folders.Select(Path.GetFileName))}); join one folder at a time.");
        string folder = folders[0];
        var manifests = Directory.GetFiles(folder, "part-*-of-*.json");
        var counts = manifests.Select(m => Path.GetFileNameWithoutExtension(m).Split('-')[^1]).Distinct().ToArray();
        if (counts.Length != 1 || !int.TryParse(counts[0], out int count))
            throw new VideoPartsException(counts.Length == 0
                ? $"{folder} holds no finished part yet."
                : $"{folder} holds parts of different splits ({string.Join(", ", counts.Select(c => "of " + c))}); colorize with one --part K/N for all.");
        var parts = new List<SegmentManifest>();
        var problems = new List<string>();
        for (int number = 1; number <= count; number++)
        {
            var manifest = SegmentManifest.Read(Path.Combine(folder, new VideoPart(number, count).ManifestName));
            if (manifest is null)
                problems.Add($"part {number} of {count} is missing");
            else if (!manifest.Complete)
                problems.Add($"part {number} of {count} is not finished");
            else
                parts.Add(manifest);
        }
        if (problems.Count > 0)
            throw new VideoPartsException($"{folder}: {string.Join("; ", problems)}. Run (or run again) colorize --part for those parts, then join.");

        var segments = parts.SelectMany(p => p.Segments).OrderBy(s => s.Index).ToList();
        for (int i = 0; i < segments.Count; i++)
        {
            string path = Path.Combine(folder, segments[i].File);
            if (segments[i].Index != i || !File.Exists(path) || new FileInfo(path).Length != segments[i].Bytes)
                throw new VideoPartsException($"{folder}: segment {i} is missing or damaged; run its part again with --restart.");
        }
        string ffmpeg = Ffmpeg.Locate() ?? throw new VideoPartsException("Joining parts needs ffmpeg; install ffmpeg.");
        string input = parts[0].Input;
        string? audio = File.Exists(input) && VideoColorizer.HasAudio(input) ? input : null;
        string final = Path.GetFullPath(output);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        await SegmentJoin.JoinIntoAsync(ffmpeg, segments.Select(s => Path.Combine(folder, s.File)).ToList(), audio, final, ct).ConfigureAwait(false);
        return new VideoJoinResult(count, segments.Count, segments.Sum(s => s.Frames), audio is not null);
    }
}

/// <summary>What a join did.</summary>
/// <param name="Parts">Parts joined.</param>
/// <param name="Segments">Segments joined.</param>
/// <param name="Frames">Frames in the result.</param>
/// <param name="AudioKept">True when the original's audio was added.</param>
public sealed record VideoJoinResult(int Parts, int Segments, int Frames, bool AudioKept);

/// <summary>The parts of a video cannot be joined: some are missing, unfinished or damaged.</summary>
public sealed class VideoPartsException(string message) : ColorizerException(message);
