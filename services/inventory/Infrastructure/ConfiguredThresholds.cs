using Microsoft.Extensions.Options;
using Platform.Inventory.Domain;

namespace Platform.Inventory.Infrastructure;

/// <summary>Safety stock and low-stock levels from <c>Inventory:Thresholds</c>; a change of the settings applies to the next computation.</summary>
public sealed class ConfiguredThresholds(IOptionsMonitor<InventoryOptions> options) : IStockThresholdPolicy
{
    // Most specific first: the SKU at the location, the SKU anywhere, anything at the location, the default.
    public decimal SafetyStock(string sku, string location)
    {
        var thresholds = options.CurrentValue.Thresholds;
        return thresholds.SafetyStockBySkuAndLocation.TryGetValue(sku + "@" + location, out var exact) ? exact
            : thresholds.SafetyStockBySku.TryGetValue(sku, out var bySku) ? bySku
            : thresholds.SafetyStockByLocation.TryGetValue(location, out var byLocation) ? byLocation
            : thresholds.SafetyStock;
    }

    public decimal LowStockLevel(string sku)
    {
        var thresholds = options.CurrentValue.Thresholds;
        return thresholds.LowStockLevelBySku.TryGetValue(sku, out var level) ? level : thresholds.LowStockLevel;
    }
}
