using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Inventory.Domain;
using Platform.Inventory.Infrastructure;
using static Platform.Inventory.Tests.Stock;

namespace Platform.Inventory.Tests;

public sealed class ThresholdTests
{
    private static (ConfiguredThresholds Thresholds, IConfigurationRoot Configuration, ServiceProvider Services) FromConfiguration(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddOptions<InventoryOptions>().Bind(configuration.GetSection(InventoryOptions.Section));
        var provider = services.BuildServiceProvider();
        return (new ConfiguredThresholds(provider.GetRequiredService<IOptionsMonitor<InventoryOptions>>()), configuration, provider);
    }

    private static readonly Dictionary<string, string?> Layered = new()
    {
        ["Inventory:Thresholds:SafetyStock"] = "1",
        ["Inventory:Thresholds:LowStockLevel"] = "5",
        ["Inventory:Thresholds:SafetyStockByLocation:berlin"] = "4",
        ["Inventory:Thresholds:SafetyStockBySku:SKU-RARE"] = "7",
        ["Inventory:Thresholds:SafetyStockBySkuAndLocation:SKU-RARE@berlin"] = "9",
        ["Inventory:Thresholds:LowStockLevelBySku:SKU-RARE"] = "2",
    };

    [Theory]
    [InlineData("SKU-RARE", "berlin", 9)]   // SKU at the location
    [InlineData("SKU-RARE", "hamburg", 7)]  // SKU anywhere
    [InlineData("SKU-PLAIN", "berlin", 4)]  // anything at the location
    [InlineData("SKU-PLAIN", "hamburg", 1)] // the default
    public void Safety_stock_takes_the_most_specific_setting(string sku, string location, decimal expected)
    {
        var (thresholds, _, services) = FromConfiguration(Layered);
        using var _ = services;

        Assert.Equal(expected, thresholds.SafetyStock(sku, location));
    }

    [Fact]
    public void The_low_stock_level_is_per_sku_with_a_default()
    {
        var (thresholds, _, services) = FromConfiguration(Layered);
        using var _ = services;

        Assert.Equal(2, thresholds.LowStockLevel("SKU-RARE"));
        Assert.Equal(5, thresholds.LowStockLevel("SKU-PLAIN"));
    }

    [Fact]
    public void A_changed_setting_applies_to_the_next_computation()
    {
        var (thresholds, configuration, services) = FromConfiguration(Layered);
        using var _ = services;
        var stock = Sku("SKU-PLAIN");
        stock.MustApply(Snapshot("berlin", 10, 1), thresholds);
        Assert.Equal(6, stock.Salable("berlin", thresholds));

        configuration["Inventory:Thresholds:SafetyStockBySkuAndLocation:SKU-PLAIN@berlin"] = "8";
        configuration.Reload();

        Assert.Equal(8, thresholds.SafetyStock("SKU-PLAIN", "berlin"));
        Assert.Equal(2, stock.Salable("berlin", thresholds));
    }

    [Fact]
    public void Salable_is_never_negative_and_a_location_below_its_safety_stock_is_out_of_stock_everywhere()
    {
        var monitor = new TestOptionsMonitor<InventoryOptions>(new InventoryOptions
        {
            Thresholds = new ThresholdOptions { SafetyStock = 0, LowStockLevel = 0, SafetyStockBySkuAndLocation = { ["SKU-1@berlin"] = 5 } },
        });
        var thresholds = new ConfiguredThresholds(monitor);
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 3, 1), thresholds);

        Assert.Equal(0, stock.Salable("berlin", thresholds));
        Assert.Equal(0, stock.TotalSalable(thresholds));
        Assert.Equal(SkuStatus.OutOfStock, stock.Status(thresholds));
        Assert.Equal(new TargetQuantity(0, false), stock.ForTarget(TargetExpects.PhysicalLessOwnReservations, "berlin", thresholds));
        Assert.Equal(new TargetQuantity(0, false), stock.ForTarget(TargetExpects.Net, "berlin", thresholds));

        // An order finds nothing to take and waits.
        stock.SetDemand("O1", "1", 1, thresholds);
        Assert.Equal(1, stock.Backordered);
        Assert.Equal(0, stock.Reserved("berlin"));
    }

    [Fact]
    public void Raising_the_safety_stock_above_what_is_reserved_never_shows_negative_salable()
    {
        var monitor = new TestOptionsMonitor<InventoryOptions>(new InventoryOptions { Thresholds = new ThresholdOptions { SafetyStock = 0 } });
        var thresholds = new ConfiguredThresholds(monitor);
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, 1), thresholds);
        stock.SetDemand("O1", "1", 8, thresholds);

        monitor.Set(new InventoryOptions { Thresholds = new ThresholdOptions { SafetyStock = 5 } });

        Assert.Equal(0, stock.Salable("berlin", thresholds));
        Assert.Equal(5, stock.ForTarget(TargetExpects.PhysicalLessOwnReservations, "berlin", thresholds).Quantity);
        Assert.Equal(0, stock.ForTarget(TargetExpects.Net, "berlin", thresholds).Quantity);
    }

    [Theory]
    [InlineData(6, SkuStatus.InStock)]
    [InlineData(5, SkuStatus.LowStock)]
    [InlineData(1, SkuStatus.LowStock)]
    [InlineData(0, SkuStatus.OutOfStock)]
    public void Status_follows_salable_against_the_low_stock_level(decimal salable, SkuStatus expected)
    {
        var policy = new TestThresholds { DefaultSafetyStock = 2, LowStock = 5 };
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", salable + 2, 1), policy);

        Assert.Equal(expected, stock.Status(policy));
    }
}
