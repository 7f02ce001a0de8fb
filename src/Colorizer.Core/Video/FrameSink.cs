using System.Diagnostics;
using System.Globalization;
using OpenCvSharp;

namespace Colorizer.Core.Video;

/// <summary>Where colorized frames go: an encoder writing a temporary file.</summary>
internal interface IFrameSink : IAsyncDisposable
{
    /// <summary>True when the input's audio will be in the output.</summary>
    bool KeepsAudio { get; }

    Task WriteAsync(Mat frame, CancellationToken ct);

    /// <summary>Flushes and closes the file; after this it is complete.</summary>
    Task CompleteAsync(CancellationToken ct);
}

/// <summary>Finds the <c>ffmpeg</c> program.</summary>
public static class Ffmpeg
{
    /// <summary>The path of <c>ffmpeg</c> on PATH, or null.</summary>
    public static string? Locate()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(directory, "ffmpeg");
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}

/// <summary>
/// Pipes raw BGR frames into ffmpeg, which encodes H.264 (yuv420p, plays everywhere; yuv444p for odd sizes, which
/// 4:2:0 cannot represent) and copies the input's audio, re-encoded as AAC, in the same pass.
/// </summary>
internal sealed class FfmpegSink : IFrameSink
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly Task<string> _errors;
    private readonly int _frameBytes;
    private readonly byte[] _buffer;
    private bool _completed;

    public FfmpegSink(string ffmpeg, string outputPath, int width, int height, double fps, int quality, string? audioSource)
    {
        KeepsAudio = audioSource is not null;
        _frameBytes = width * height * 3;
        _buffer = new byte[_frameBytes];
        var arguments = new List<string>
        {
            "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", $"{width}x{height}",
            "-framerate", fps.ToString("0.######", CultureInfo.InvariantCulture), "-i", "pipe:0",
        };
        if (audioSource is not null)
            arguments.AddRange(["-i", audioSource, "-map", "0:v:0", "-map", "1:a:0?", "-c:a", "aac", "-b:a", "192k"]);
        arguments.AddRange([
            "-c:v", "libx264", "-preset", "veryfast", "-crf", quality.ToString(CultureInfo.InvariantCulture),
            "-pix_fmt", width % 2 == 0 && height % 2 == 0 ? "yuv420p" : "yuv444p",
            "-movflags", "+faststart", "-f", "mp4", outputPath,
        ]);
        var start = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start.");
        _input = _process.StandardInput.BaseStream;
        _errors = _process.StandardError.ReadToEndAsync();
        _ = _process.StandardOutput.ReadToEndAsync();
    }

    public bool KeepsAudio { get; }

    public async Task WriteAsync(Mat frame, CancellationToken ct)
    {
        if (!frame.IsContinuous())
            throw new InvalidOperationException("Frames must be continuous.");
        // One buffer for all frames: a 1080p frame is 6 MB, and a new one per frame would churn the large-object heap.
        System.Runtime.InteropServices.Marshal.Copy(frame.Data, _buffer, 0, _frameBytes);
        try
        {
            await _input.WriteAsync(_buffer, ct).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException($"ffmpeg stopped: {await ErrorsAsync().ConfigureAwait(false)}", ex);
        }
    }

    public async Task CompleteAsync(CancellationToken ct)
    {
        await _input.FlushAsync(ct).ConfigureAwait(false);
        _input.Close();
        await _process.WaitForExitAsync(ct).ConfigureAwait(false);
        _completed = true;
        if (_process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg failed (exit code {_process.ExitCode}): {await ErrorsAsync().ConfigureAwait(false)}");
    }

    private async Task<string> ErrorsAsync()
    {
        string text = await _errors.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        return text.Length > 600 ? text[^600..] : text.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed && !_process.HasExited)
        {
            // Cancelled or failed: stop the encoder at once; the caller deletes its temporary file.
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }
        _process.Dispose();
    }
}

/// <summary>Without ffmpeg: OpenCV's own writer, MPEG-4 Part 2, silent.</summary>
internal sealed class OpenCvSink(string outputPath, int width, int height, double fps) : IFrameSink
{
    private readonly VideoWriter _writer = Open(outputPath, width, height, fps);

    private static VideoWriter Open(string path, int width, int height, double fps)
    {
        var writer = new VideoWriter(path, FourCC.MP4V, fps, new Size(width, height), isColor: true);
        if (!writer.IsOpened())
        {
            writer.Dispose();
            throw new InvalidOperationException($"OpenCV could not open a video writer for {path}.");
        }
        return writer;
    }

    public bool KeepsAudio => false;

    public Task WriteAsync(Mat frame, CancellationToken ct)
    {
        _writer.Write(frame);
        return Task.CompletedTask;
    }

    public Task CompleteAsync(CancellationToken ct)
    {
        _writer.Release();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }
}
