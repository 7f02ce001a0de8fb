using System.Diagnostics;
using System.Net;

namespace Colorizer.Testing;

/// <summary>Waiting for a web app started as a child process to answer <c>/health</c> with 200.</summary>
public static class AppHealth
{
    /// <summary>
    /// Polls <c>/health</c> through <paramref name="client"/> until it answers 200 (true), or until
    /// <paramref name="process"/> exits or <paramref name="timeout"/> passes (false).
    /// </summary>
    public static async Task<bool> WaitUntilHealthyAsync(HttpClient client, Process process, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var health = await client.GetAsync("/health");
                if (health.StatusCode == HttpStatusCode.OK)
                    return true;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        return false;
    }
}
