using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Colorizer.Core.Models.Catalogue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Colorizer.Core.Models;

/// <summary>
/// Downloads model files once, safely: into <c>&lt;name&gt;.partial</c>, resuming with HTTP Range requests,
/// retrying each source with backoff and then falling back to the next one, and moving the file to its final name
/// only after its size and hash are verified (the 2016 weights: the release's size and SHA-256; the ONNX models: the
/// server's length and the CRC-32 published beside the file as <c>&lt;name&gt;.hash</c>). A file under the final name
/// is therefore always complete.
/// </summary>
/// <remarks>
/// Register it as a typed client (<c>services.AddHttpClient&lt;ModelDownloader&gt;()</c>) so it gets its own
/// <see cref="HttpClient"/>. The client's own <see cref="HttpClient.Timeout"/> only bounds the wait for response
/// headers; a stalled body is caught by <see cref="ModelDownloaderOptions.StallTimeout"/>.
/// </remarks>
public sealed partial class ModelDownloader
{
    /// <summary>The suffix of the file a download is written to before it is verified.</summary>
    public const string PartialSuffix = ".partial";

    private const int BufferSize = 1 << 16;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>One gate per destination, so concurrent calls in this process download once and the rest wait.</summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    private readonly HttpClient _http;
    private readonly ILogger<ModelDownloader> _logger;
    private readonly ModelDownloaderOptions _options;

    /// <summary>Creates a downloader.</summary>
    /// <param name="httpClient">The client to download with; redirects should be followed (the default).</param>
    /// <param name="logger">Receives one entry per attempt, retry, fallback and verification.</param>
    /// <param name="options">Retry and timeout settings.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ModelDownloader(HttpClient httpClient, ILogger<ModelDownloader> logger, IOptions<ModelDownloaderOptions> options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        _http = httpClient;
        _logger = logger;
        _options = options.Value;
        _options.Validate();
    }

    /// <summary>
    /// Returns the path of the weights in <paramref name="modelsDirectory"/>, downloading them first if no file of
    /// that name is there. An existing file is used as it is, without checking its hash (users may bring their own
    /// weights; the engine warns about those).
    /// </summary>
    /// <param name="modelsDirectory">The folder the weights live in; created when missing.</param>
    /// <param name="release">What to download and from where, e.g. <see cref="WeightsRelease.Official"/>.</param>
    /// <param name="progress">Told how far the download has come: about every 1 % or 250 ms, and once at the end.</param>
    /// <param name="cancellationToken">Stops the download promptly; the <c>.partial</c> file is kept so a later call resumes it.</param>
    /// <returns>The full path of the weights file.</returns>
    /// <exception cref="ModelDownloadException">
    /// Every source failed; the message says how to install the file by hand, and <see cref="ModelDownloadException.MissingWeights"/>
    /// carries the same facts (and each source's failure) for a host to word.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<string> EnsureWeightsAsync(
        string modelsDirectory,
        WeightsRelease release,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsDirectory);
        ArgumentNullException.ThrowIfNull(release);
        return await EnsureAsync(modelsDirectory, new DownloadTarget(release), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns the path of <paramref name="model"/>'s ONNX file in <paramref name="modelsDirectory"/>, downloading it
    /// first if no file of that name is there: from each source in turn, its published CRC-32 (<c>&lt;name&gt;.hash</c>
    /// beside it) first, then the file, checked against the server's length and that CRC-32 before it gets its final
    /// name; the hash file is saved beside it. An existing file is used as it is (the engine warns when its CRC-32
    /// differs from a published one beside it).
    /// </summary>
    /// <param name="modelsDirectory">The folder the models live in; created when missing.</param>
    /// <param name="model">An ONNX model of the catalogue.</param>
    /// <param name="progress">Told how far the download has come.</param>
    /// <param name="cancellationToken">Stops the download promptly; the <c>.partial</c> file is kept so a later call resumes it.</param>
    /// <returns>The full path of the model file.</returns>
    /// <exception cref="ModelDownloadException">Every source failed; the message names each source's failure and how to install the file by hand.</exception>
    public async Task<string> EnsureModelAsync(
        string modelsDirectory,
        ColorModel model,
        IProgress<DownloadProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelsDirectory);
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsOnnxFile)
            throw new ArgumentException($"{model.Id} is not an ONNX model; use EnsureWeightsAsync.", nameof(model));
        return await EnsureAsync(modelsDirectory, new DownloadTarget(model), progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> EnsureAsync(string modelsDirectory, DownloadTarget target, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string directory = Path.GetFullPath(modelsDirectory);
        string finalPath = Path.Combine(directory, target.FileName);
        if (File.Exists(finalPath))
        {
            LogAlreadyPresent(_logger, finalPath);
            return finalPath;
        }

        SemaphoreSlim gate = Gates.GetOrAdd(finalPath, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another call may have finished the download while this one waited.
            if (File.Exists(finalPath))
            {
                LogAlreadyPresent(_logger, finalPath);
                return finalPath;
            }

            return await DownloadAsync(directory, finalPath, target, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<string> DownloadAsync(
        string directory, string finalPath, DownloadTarget target, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string partialPath = finalPath + PartialSuffix;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw target.Failed($"Could not create the models folder {directory}: {ex.Message}.", finalPath, [], ex);
        }

        var failures = new List<SourceFailure>(target.Sources.Count);
        Exception? lastException = null;
        foreach (Uri source in target.Sources)
        {
            string reason = "not tried";
            for (int attempt = 1; attempt <= _options.MaxAttemptsPerSource; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (attempt > 1 && File.Exists(finalPath))
                {
                    // Another process finished the download while this one was waiting to retry.
                    LogAlreadyPresent(_logger, finalPath);
                    return finalPath;
                }

                bool tryAgain;
                try
                {
                    var expected = await ExpectAsync(target, source, cancellationToken).ConfigureAwait(false);
                    await DownloadAttemptAsync(source, attempt, partialPath, expected, progress, cancellationToken).ConfigureAwait(false);
                    string saved = Publish(partialPath, finalPath);
                    if (target.Model is not null)
                        SaveHashFile(directory, target.Model, expected.Hash);
                    return saved;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    LogCancelled(_logger, target.FileName, partialPath);
                    throw;
                }
                catch (UnauthorizedAccessException ex)
                {
                    throw target.Failed($"Could not write {partialPath}: {ex.Message}.", finalPath, failures, ex);
                }
                catch (VerificationException ex)
                {
                    lastException = ex;
                    reason = ex.Message;
                    LogVerificationFailed(_logger, target.FileName, source, ex.Message);
                    TryDelete(partialPath);
                    // A mismatch after resuming may come from stale partial bytes, so the source gets another, clean try.
                    tryAgain = ex.Resumed;
                }
                catch (AttemptException ex)
                {
                    lastException = ex;
                    reason = ex.Message;
                    tryAgain = ex.TryAgain;
                    // The reason is in the lines at Information and Warning; the stack trace only helps a developer.
                    LogAttemptFailedDetail(_logger, attempt, source, ex.InnerException ?? ex);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or TimeoutException)
                {
                    lastException = ex;
                    reason = Describe(ex);
                    tryAgain = true;
                    LogAttemptFailedDetail(_logger, attempt, source, ex);
                }

                // An empty .partial (e.g. after a 404) is of no use for resuming; don't leave it behind.
                DeleteIfEmpty(partialPath);
                if (!tryAgain || attempt == _options.MaxAttemptsPerSource)
                {
                    break;
                }

                TimeSpan delay = BackoffDelay(attempt);
                LogRetrying(_logger, attempt, _options.MaxAttemptsPerSource, target.FileName, source, reason, delay);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            failures.Add(new SourceFailure(source, reason));
            LogSourceFailed(_logger, source, target.FileName, reason);
        }

        // A non-empty .partial left by network failures is kept: it holds a prefix of the file and a later call resumes it.
        string message = string.Create(
            CultureInfo.InvariantCulture,
            $"Could not download {target.Describe()} into {directory}: " +
            $"{string.Join("; ", failures.Select(f => $"{f.Source.AbsoluteUri} failed: {f.Reason}"))}.");
        throw target.Failed(message, finalPath, failures, lastException);
    }

    // What this source's file must be: the release's size and SHA-256, or the CRC-32 published beside the file (the
    // size comes from the server then).
    private async Task<Expectation> ExpectAsync(DownloadTarget target, Uri source, CancellationToken cancellationToken)
    {
        if (target.Model is null)
            return new Expectation(target.FileName, target.Size, isSha256: true, target.Sha256!);
        Uri hashSource = target.Model.HashSource(source);
        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            using var response = await SendAsync(hashSource, 0, attemptCts).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                string status = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}").TrimEnd();
                bool transient = (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                throw new AttemptException($"its published hash {hashSource.AbsoluteUri} answered {status}", transient);
            }
            byte[] body = await response.Content.ReadAsByteArrayAsync(attemptCts.Token).ConfigureAwait(false);
            string? hash = body.Length <= 64 ? OnnxModelFile.ParseHash(System.Text.Encoding.ASCII.GetString(body)) : null;
            return hash is null
                ? throw new AttemptException($"its published hash {hashSource.AbsoluteUri} is not a CRC-32 (8 hex digits)", tryAgain: false)
                : new Expectation(target.FileName, target.Size, isSha256: false, hash);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AttemptException($"its published hash {hashSource.AbsoluteUri} timed out", tryAgain: true, ex);
        }
    }

    // Beside the model, as facefusion keeps it: the engine compares the file with it at load.
    private void SaveHashFile(string directory, ColorModel model, string hash)
    {
        string path = Path.Combine(directory, model.HashFileName!);
        string temporary = path + PartialSuffix;
        try
        {
            File.WriteAllText(temporary, hash);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(_logger, path, $"the published hash could not be saved beside the model: {ex.Message}");
        }
    }

    private string Publish(string partialPath, string finalPath)
    {
        try
        {
            File.Move(partialPath, finalPath, overwrite: false);
        }
        catch (IOException) when (File.Exists(finalPath))
        {
            // Someone else (another process) finished first; theirs is just as complete, so keep it.
            TryDelete(partialPath);
        }

        LogSaved(_logger, finalPath);
        return finalPath;
    }

    private TimeSpan BackoffDelay(int attempt)
    {
        double factor = Math.Pow(2, Math.Min(attempt - 1, 30));
        TimeSpan delay = TimeSpan.FromTicks((long)Math.Min(_options.RetryDelay.Ticks * factor, _options.MaxRetryDelay.Ticks));
        return delay;
    }

    /// <summary>One attempt against one source. Returns with a complete, verified .partial file; throws otherwise.</summary>
    private async Task DownloadAttemptAsync(
        Uri source, int attempt, string partialPath, Expectation expected, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(
            partialPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, BufferSize, FileOptions.Asynchronous);
        using var hash = expected.NewHash();

        long offset = file.Length;
        if (offset > expected.Size)
        {
            LogDiscardingOversizedPartial(_logger, partialPath, offset, expected.Size.Value);
            file.SetLength(0);
            offset = 0;
        }
        else if (offset == expected.Size)
        {
            // A previous run received every byte but stopped before moving the file: verify it without a request.
            await FileHash.AppendPrefixAsync(hash, file, offset, cancellationToken).ConfigureAwait(false);
            string actual = hash.Finish();
            if (actual == expected.Hash)
            {
                progress?.Report(new DownloadProgress(offset, offset, source));
                LogVerified(_logger, expected.FileName, offset, expected.HashText);
                return;
            }

            LogDiscardingCorruptPartial(_logger, partialPath, $"{hash.Name} {actual}", expected.HashText);
            file.SetLength(0);
            offset = 0;
        }

        using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            if (offset > 0)
            {
                LogResuming(_logger, expected.FileName, source, offset, expected.SizeText, attempt, _options.MaxAttemptsPerSource);
            }
            else if (attempt == 1)
            {
                LogDownloading(_logger, expected.FileName, source, expected.SizeText, attempt, _options.MaxAttemptsPerSource);
            }
            else
            {
                // The retry line before this one already said that the source is tried again.
                LogDownloadingAgain(_logger, expected.FileName, source, expected.SizeText, attempt, _options.MaxAttemptsPerSource);
            }

            HttpResponseMessage response = await SendAsync(source, offset, attemptCts).ConfigureAwait(false);
            try
            {
                offset = await AcceptResponseAsync(response, source, file, hash, offset, expected, cancellationToken).ConfigureAwait(false);
                if (offset < 0)
                {
                    // The answer to the Range request was unusable: ask again for the whole file, once.
                    response.Dispose();
                    response = await SendAsync(source, 0, attemptCts).ConfigureAwait(false);
                    offset = await AcceptResponseAsync(response, source, file, hash, 0, expected, cancellationToken).ConfigureAwait(false);
                    if (offset < 0)
                    {
                        throw new AttemptException("the server answered a request for the whole file with a partial range", tryAgain: true);
                    }
                }

                bool resumed = offset > 0;
                await CopyBodyAsync(response, source, file, hash, offset, expected, progress, attemptCts, cancellationToken).ConfigureAwait(false);

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                long length = file.Length;
                string actual = hash.Finish();
                if ((expected.Size is long size && length != size) || actual != expected.Hash)
                {
                    throw new VerificationException(
                        string.Create(
                            CultureInfo.InvariantCulture,
                            $"the downloaded file is corrupt: {length:N0} bytes with {hash.Name} {actual}, expected {expected.SizeText} with {expected.HashText}"),
                        resumed);
                }

                LogVerified(_logger, expected.FileName, length, expected.HashText);
            }
            finally
            {
                response.Dispose();
            }
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            string reason = ex.InnerException is TimeoutException
                ? $"timed out: {ex.Message}"
                : $"no data received for {_options.StallTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
            throw new AttemptException(reason, tryAgain: true, ex);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri source, long offset, CancellationTokenSource attemptCts)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, source);
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        attemptCts.CancelAfter(_options.StallTimeout);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCts.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks the status and headers and prepares the file and the hash for the body: returns the offset the body
    /// starts at, or -1 when a Range answer was unusable and the whole file should be asked for instead.
    /// </summary>
    private async Task<long> AcceptResponseAsync(
        HttpResponseMessage response, Uri source, FileStream file, ContentHash hash, long offset, Expectation expected, CancellationToken cancellationToken)
    {
        HttpStatusCode status = response.StatusCode;
        if (status == HttpStatusCode.PartialContent)
        {
            ContentRangeHeaderValue? range = response.Content.Headers.ContentRange;
            if (range?.Length is long total && expected.Size is long size && total != size)
            {
                throw new AttemptException(
                    string.Create(CultureInfo.InvariantCulture, $"the server has a file of {total:N0} bytes, expected {expected.SizeText}"), tryAgain: false);
            }

            // A file of unknown size takes the server's word for it.
            expected.Size ??= range?.Length;
            if (range is null || range.Unit != "bytes" || range.From != offset || (range.To is long to && expected.Size is long end && to != end - 1))
            {
                LogBadRange(_logger, source, range?.ToString() ?? "none", offset);
                file.SetLength(0);
                return -1;
            }

            // Resuming: the hash must cover the bytes already on disk.
            await FileHash.AppendPrefixAsync(hash, file, offset, cancellationToken).ConfigureAwait(false);
            file.Position = offset;
            return offset;
        }

        if (status == HttpStatusCode.OK)
        {
            if (offset > 0)
            {
                LogRangeIgnored(_logger, source, offset);
                file.SetLength(0);
            }

            if (response.Content.Headers.ContentLength is long length && expected.Size is long size && length != size)
            {
                throw new AttemptException(
                    string.Create(CultureInfo.InvariantCulture, $"the server sends {length:N0} bytes, expected {expected.SizeText}"), tryAgain: false);
            }

            expected.Size ??= response.Content.Headers.ContentLength;

            file.Position = 0;
            return 0;
        }

        string statusText = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status} {response.ReasonPhrase}").TrimEnd();
        if (status == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The server's file is shorter than our partial one: start over.
            file.SetLength(0);
            throw new AttemptException(statusText + " for the resumed part; starting over", tryAgain: true);
        }

        bool transient = (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
        throw new AttemptException(statusText, transient);
    }

    private async Task CopyBodyAsync(
        HttpResponseMessage response,
        Uri source,
        FileStream file,
        ContentHash hash,
        long offset,
        Expectation expected,
        IProgress<DownloadProgress>? progress,
        CancellationTokenSource attemptCts,
        CancellationToken cancellationToken)
    {
        long received = offset;
        long total = expected.Size ?? 0;
        long reportStep = Math.Max(1, total / 100);
        long lastReportedBytes = received;
        long lastReportedAt = Environment.TickCount64;
        progress?.Report(new DownloadProgress(received, total, source));

        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            attemptCts.CancelAfter(_options.StallTimeout);
            await using Stream body = await response.Content.ReadAsStreamAsync(attemptCts.Token).ConfigureAwait(false);
            while (true)
            {
                attemptCts.CancelAfter(_options.StallTimeout);
                int read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), attemptCts.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                if (total > 0 && received + read > total)
                {
                    file.SetLength(0);
                    throw new AttemptException(
                        $"the server sent more than the expected {expected.SizeText}; starting over", tryAgain: true);
                }

                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                hash.Append(buffer, 0, read);
                received += read;

                long now = Environment.TickCount64;
                if (progress is not null && (total == 0 || received < total)
                    && (received - lastReportedBytes >= reportStep || now - lastReportedAt >= ProgressInterval.TotalMilliseconds))
                {
                    progress.Report(new DownloadProgress(received, total, source));
                    lastReportedBytes = received;
                    lastReportedAt = now;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        progress?.Report(new DownloadProgress(received, total > 0 ? total : received, source));
        if (received < total)
        {
            // What arrived is kept: the next attempt resumes from it.
            throw new AttemptException(
                string.Create(CultureInfo.InvariantCulture, $"the connection closed after {received:N0} of {expected.SizeText}"), tryAgain: true);
        }
    }

    private static string Describe(Exception ex)
    {
        string message = ex.Message;
        if (ex.InnerException is { } inner && !message.Contains(inner.Message, StringComparison.Ordinal))
        {
            message += " (" + inner.Message + ")";
        }

        return message.TrimEnd('.');
    }

    private void DeleteIfEmpty(string path)
    {
        try
        {
            if (new FileInfo(path) is { Exists: true, Length: 0 })
            {
                TryDelete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(_logger, path, ex.Message);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogDeleteFailed(_logger, path, ex.Message);
        }
    }

    /// <summary>One attempt failed; <see cref="TryAgain"/> says whether the same source deserves another.</summary>
    private sealed class AttemptException(string message, bool tryAgain, Exception? inner = null) : Exception(message, inner)
    {
        public bool TryAgain { get; } = tryAgain;
    }

    /// <summary>The whole file arrived but its size or hash is wrong; the .partial must go.</summary>
    private sealed class VerificationException(string message, bool resumed) : Exception(message)
    {
        /// <summary>Part of the file came from an earlier attempt or run.</summary>
        public bool Resumed { get; } = resumed;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model weights found at {Path}; not downloading")]
    private static partial void LogAlreadyPresent(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloading {FileName} ({Size}) from {Source} (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogDownloading(ILogger logger, string fileName, Uri source, string size, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming {FileName} from {Source} at byte {Offset} of {Size} (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogResuming(ILogger logger, string fileName, Uri source, long offset, string size, int attempt, int maxAttempts);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Downloading {FileName} ({Size}) from {Source} (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogDownloadingAgain(ILogger logger, string fileName, Uri source, string size, int attempt, int maxAttempts);

    // A retry is routine (the source may still answer): Information. Only a source given up on is worth a warning,
    // so an offline start logs one warning per source, not one per attempt.
    [LoggerMessage(Level = LogLevel.Information, Message = "Attempt {Attempt} of {MaxAttempts} to download {FileName} from {Source} failed: {Reason}; retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, int attempt, int maxAttempts, string fileName, Uri source, string reason, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Attempt {Attempt} on {Source} failed")]
    private static partial void LogAttemptFailedDetail(ILogger logger, int attempt, Uri source, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Giving up on {Source} for {FileName}: {Reason}")]
    private static partial void LogSourceFailed(ILogger logger, Uri source, string fileName, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verification of {FileName} from {Source} failed: {Reason}; the partial download was deleted")]
    private static partial void LogVerificationFailed(ILogger logger, string fileName, Uri source, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Verified {FileName}: {Size} bytes, {Hash}")]
    private static partial void LogVerified(ILogger logger, string fileName, long size, string hash);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saved the model weights as {Path}")]
    private static partial void LogSaved(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Download of {FileName} cancelled; {PartialPath} is kept to resume later")]
    private static partial void LogCancelled(ILogger logger, string fileName, string partialPath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discarding {PartialPath}: it holds {Length} bytes, more than the expected {Size}")]
    private static partial void LogDiscardingOversizedPartial(ILogger logger, string partialPath, long length, long size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discarding {PartialPath}: it is complete but its hash is {Actual}, expected {Expected}")]
    private static partial void LogDiscardingCorruptPartial(ILogger logger, string partialPath, string actual, string expected);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source} answered a request from byte {Offset} with Content-Range {ContentRange}; starting over from byte 0")]
    private static partial void LogBadRange(ILogger logger, Uri source, string contentRange, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Source} ignored the request to resume at byte {Offset} and sent the whole file; starting over from byte 0")]
    private static partial void LogRangeIgnored(ILogger logger, Uri source, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete {Path}: {Reason}")]
    private static partial void LogDeleteFailed(ILogger logger, string path, string reason);
}
