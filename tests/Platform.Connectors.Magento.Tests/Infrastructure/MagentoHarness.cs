using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Magento.Tests.Infrastructure;

internal sealed class MagentoHarness : IAsyncDisposable
{
    public const string Token = "integration-token-4c1d";

    private MagentoHarness(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public IMagentoClient Client => Services.GetRequiredService<IMagentoClient>();

    public static Dictionary<string, string?> Settings(string baseAddress) => new()
    {
        ["Platform:Connectors:magento:BaseAddress"] = baseAddress,
        ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
        ["Platform:Connectors:magento:Authentication:Token"] = Token,
        ["Platform:Connectors:magento:Retry:BaseDelay"] = "00:00:00.010",
        ["Platform:Connectors:magento:Retry:MaxDelay"] = "00:00:00.050",
        ["Platform:Connectors:magento:RateLimit:PermitsPerSecond"] = "1000",
        ["Platform:Connectors:magento:RateLimit:Burst"] = "1000",
    };

    public static MagentoHarness Create(FakeRemote remote) => Create(Settings(remote.BaseAddress));

    public static MagentoHarness Create(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMagentoConnector(configuration);
        return new MagentoHarness(services.BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

internal static class Samples
{
    public static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Samples", name));
}
