using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.State;

namespace Platform.Inventory.Infrastructure;

/// <summary>Stock levels per SKU and location, and the availability read model.</summary>
public sealed class StockRepository(IStateStore store)
{
    public static string LevelKey(string sku, string locationCode) => $"stock:{sku}:{locationCode}";

    /// <summary>The availability read model: one precomputed entry per SKU, so storefront widgets cost one read.</summary>
    public static string AvailabilityKey(string sku) => "availability:" + sku;

    public Task<StockLevel?> FindLevelAsync(string sku, string locationCode, CancellationToken cancellationToken) =>
        store.GetMessageAsync(LevelKey(sku, locationCode), StockLevel.Parser, cancellationToken);

    public Task<IReadOnlyList<SkuAvailability>> FindAvailabilityAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken) =>
        store.GetMessagesAsync(skus.Select(AvailabilityKey).ToList(), SkuAvailability.Parser, cancellationToken);
}
