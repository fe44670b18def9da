namespace Platform.Inventory.Domain;

/// <summary>What a source system's stock figure means.</summary>
public enum SourceReports
{
    /// <summary>Physical on hand: goods on the shelf, including those the source has promised to orders.</summary>
    Physical = 1,

    /// <summary>Available: on hand net of the source's own allocations (orders it already knows about).</summary>
    Available = 2,
}

/// <summary>What a storefront target expects to be told per source.</summary>
public enum TargetExpects
{
    /// <summary>
    /// Physical quantity; the storefront subtracts its own reservations for the orders it took (Magento MSI source items).
    /// Telling it a figure the platform already reduced by those orders would subtract them twice.
    /// </summary>
    PhysicalLessOwnReservations = 1,

    /// <summary>A net figure it shows as is (Shopify's <c>available</c>): every open order must already be deducted.</summary>
    Net = 2,
}

/// <summary>Safety stock per SKU and location, and the low-stock level per SKU (defaults with overrides).</summary>
public interface IStockThresholdPolicy
{
    /// <summary>Kept back from sale at the location; never negative.</summary>
    decimal SafetyStock(string sku, string location);

    /// <summary>At or below this salable quantity over all locations the SKU is low on stock.</summary>
    decimal LowStockLevel(string sku);
}

/// <summary>What one target should hold for one SKU at one of its sources.</summary>
public readonly record struct TargetQuantity(decimal Quantity, bool InStock);

/// <summary>A stock status over all locations, with the figures that led to it.</summary>
public enum SkuStatus
{
    InStock = 1,
    LowStock = 2,
    OutOfStock = 3,
}
