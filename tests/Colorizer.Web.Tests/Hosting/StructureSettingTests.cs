using System.Net;
using Colorizer.Core;
using Colorizer.Testing;
using Colorizer.Web.Colorization;
using Colorizer.Web.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenCvSharp;
using static Colorizer.Web.Tests.Infrastructure.ApiRequests;

namespace Colorizer.Web.Tests.Hosting;

/// <summary>
/// <c>Colorizer:Structure</c>: the limits on a file's structure reach the API's decoding from configuration, and a
/// value out of range stops the app at start, naming the setting.
/// </summary>
public sealed class StructureSettingTests
{
    [Fact]
    public async Task MaxJpegScans_FromConfiguration_IsTheLimitTheApiApplies()
    {
        using var factory = new ColorizerSettingsWebFactory(new Dictionary<string, string?> { ["Colorizer:Structure:MaxJpegScans"] = "5" });
        using var client = await factory.CreateReadyClientAsync();
        using var grey = TestImages.Grey(64, 48);

        // OpenCV's progressive script has 6 scans for a grey image: one over the limit set here, far under the default.
        using var refused = await client.PostColorizeAsync(TestImages.Encode(grey, ".jpg", (int)ImwriteFlags.JpegProgressive, 1), fileName: "photo.jpg");
        using var baseline = await client.PostColorizeAsync(TestImages.Encode(grey, ".jpg"), fileName: "photo.jpg");

        var problem = await AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity);
        Assert.StartsWith("The JPEG has 6 scans; at most 5 are accepted", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, baseline.StatusCode);
    }

    [Theory]
    [InlineData("Colorizer:Structure:MaxJpegScans", "0", "MaxJpegScans")]
    [InlineData("Colorizer:Structure:MaxTiffTags", "70000", "MaxTiffTags")]
    public void ALimitOutOfRange_StopsTheAppAtStart_NamingTheSetting(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddColorization(configuration);
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ColorizerOptions>>().Value);

        Assert.Contains("Colorizer:Structure:" + named, error.Message, StringComparison.Ordinal);
    }
}
