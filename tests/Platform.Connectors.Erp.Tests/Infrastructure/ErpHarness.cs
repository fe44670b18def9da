using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Erp.Tests.Infrastructure;

internal sealed class ErpHarness : IAsyncDisposable
{
    public const string ApiKey = "erp-key-77a1";

    private ErpHarness(ServiceProvider services) => Services = services;

    public ServiceProvider Services { get; }

    public IErpClient Client => Services.GetRequiredService<IErpClient>();

    public static Dictionary<string, string?> Settings(string baseAddress, string? mapping = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Connectors:erp:BaseAddress"] = baseAddress,
            ["Platform:Connectors:erp:Authentication:Scheme"] = "ApiKey",
            ["Platform:Connectors:erp:Authentication:Key"] = ApiKey,
            ["Platform:Connectors:erp:Retry:BaseDelay"] = "00:00:00.010",
            ["Platform:Connectors:erp:Retry:MaxDelay"] = "00:00:00.050",
            ["Platform:Connectors:erp:RateLimit:PermitsPerSecond"] = "1000",
            ["Platform:Connectors:erp:RateLimit:Burst"] = "1000",
        };
        if (mapping is not null)
        {
            settings["Platform:Connectors:erp:Mapping"] = mapping;
        }

        return settings;
    }

    public static ErpHarness Create(FakeRemote remote, string? mapping = null) => Create(Settings(remote.BaseAddress, mapping));

    public static ErpHarness Create(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddErpConnector(configuration);
        return new ErpHarness(services.BuildServiceProvider());
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

internal static class Orders
{
    // The guest order of the Magento sample (order-guest.json), as the order service would hand it over.
    public static ErpSalesOrder Guest(int revision = 1) => new(
        OrderReference: "default:000000003",
        StoreCode: "default",
        OrderNumber: "000000003",
        Revision: revision,
        Currency: "usd",
        CustomerCode: null,
        Guest: true,
        ShipTo: new ErpShipTo("US", "MI"),
        Lines:
        [
            new ErpSalesOrderLine(1, "24-WG085", 2.0000m, 14.0000m, 2.1000m, 2.3100m, 28.0000m),
            new ErpSalesOrderLine(2, "24-UG03", 1m, 17m, 2.4m, 1.69m, 17m),
        ],
        Totals: new ErpTotals(45.00m, 10.00m, 4.50m, 4.00m, 54.50m));
}
