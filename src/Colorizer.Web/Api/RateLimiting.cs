using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Colorizer.Web.Api;

/// <summary>
/// Per-client rate limiting for the REST API with ASP.NET Core's rate limiter, partitioned by the client's IP address
/// (IPv6 clients by their /64 network, which one host usually owns whole). Only endpoints that ask for
/// <see cref="PolicyName"/> are limited: the page, its static files and Blazor's circuit traffic are not (the rate
/// limiter never sees circuit events; the shared work queue bounds the page and the API together). A refused request
/// gets 429 problem+json with <c>Retry-After</c>.
/// </summary>
public static class ApiRateLimiting
{
    /// <summary>The policy the API's endpoints require.</summary>
    public const string PolicyName = "api-per-client";

    /// <summary>Registers the limiter and its policy, with <see cref="RateLimitOptions"/> validated at start.</summary>
    internal static IServiceCollection AddApiRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(_ => { });
        // Through options, so settings given to the host later (a test's UseSetting) still reach the policy.
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitOptions>>((limiter, settings) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = OnRejectedAsync;
            limiter.AddPolicy(PolicyName, context => RateLimitPartition.GetTokenBucketLimiter(ClientPartition(context.Connection.RemoteIpAddress),
                _ => Bucket(settings.Value)));
        });
        return services;
    }

    /// <summary>
    /// The partition a client's requests count against: its IPv4 address (IPv4-mapped IPv6 counts as IPv4), its IPv6
    /// /64 network, or one shared partition when the address is unknown. Behind a reverse proxy this is the proxy's
    /// address unless the forwarded-headers middleware is set up.
    /// </summary>
    public static string ClientPartition(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return address.ToString();
        byte[] bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static TokenBucketRateLimiterOptions Bucket(RateLimitOptions settings) => new()
    {
        TokenLimit = settings.Burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = settings.TokenPeriod,
        AutoReplenishment = true,
        QueueLimit = settings.QueueLimit,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var settings = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        // The bucket knows when its next token comes; a token's period is the fallback.
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : settings.TokenPeriod;
        int seconds = (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, int.MaxValue);
        string rate = settings.PermitsPerMinute.ToString("N0", CultureInfo.InvariantCulture);
        string burst = settings.Burst.ToString("N0", CultureInfo.InvariantCulture);
        var problem = ApiProblems.RateLimited(context, seconds,
            $"This client has sent more requests than the API allows ({rate} a minute, up to {burst} at once). Try again in {seconds} s.");
        await problem.ExecuteAsync(context);
    }
}
