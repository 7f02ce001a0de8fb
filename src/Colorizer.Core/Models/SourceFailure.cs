namespace Colorizer.Core.Models;

/// <summary>One download address that failed, and why, in a few words (e.g. <c>HTTP 404 Not Found</c>).</summary>
/// <param name="Source">The address that was tried.</param>
/// <param name="Reason">The last attempt's failure, without a stack trace.</param>
public sealed record SourceFailure(Uri Source, string Reason);
