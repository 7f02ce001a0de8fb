using Colorizer.Core.Colorization;
using Colorizer.Core.Models;
using Colorizer.Core.Tests.Colorization;
using Colorizer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Colorizer.Core.Tests.Models;

/// <summary><see cref="ColorizerOptions.Backend"/>: its default, its validation, and the model host loading onto it.</summary>
public sealed class ModelHostBackendTests : IDisposable
{
    private readonly TemporaryDirectory _models = new();

    public ModelHostBackendTests() => SyntheticModels.WriteTiny(_models.Path, TinyModel.ConstantBin(100));

    public void Dispose() => _models.Dispose();

    private ServiceProvider Services(Action<ColorizerOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddColorizerCore(options =>
        {
            options.ModelsDirectory = _models.Path;
            options.DownloadWeights = false;
            configure(options);
        });
        return services.BuildServiceProvider();
    }

    [Theory]
    [MemberData(nameof(Backends.All), MemberType = typeof(Backends))]
    public async Task ModelHost_LoadsAndWarmsUpTheNetwork_OnTheConfiguredBackend(InferenceBackend backend)
    {
        using var services = Services(options => options.Backend = backend);
        var host = services.GetRequiredService<ModelHost>();

        var engine = await host.GetEngineAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(backend, engine.Backend);
        Assert.True(engine.IsWarm);
        Assert.Equal(ModelStatus.Ready, host.State.Status);
    }

    [Fact]
    public void Backend_DefaultsToTheOneDefault()
    {
        Assert.Equal(InferenceBackendDefaults.Default, new ColorizerOptions().Backend);
    }

    [Fact]
    public void Backend_ThatIsNoBackend_IsRefusedNamingTheSetting()
    {
        using var services = Services(options => options.Backend = (InferenceBackend)7);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ColorizerOptions>>().Value);

        Assert.Contains("Colorizer:Backend must be onnx or opencv.", error.Message, StringComparison.Ordinal);
    }
}
