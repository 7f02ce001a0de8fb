using Microsoft.Extensions.Logging;

namespace Colorizer.Core.Tests.Models;

/// <summary>One log entry as a provider receives it: the exception separate from the formatted message.</summary>
internal sealed record CapturedLogEntry(string Category, LogLevel Level, string Message, Exception? Exception);
