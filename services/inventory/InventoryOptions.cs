using System.ComponentModel.DataAnnotations;
using Platform.Inventory.Domain;

namespace Platform.Inventory;

/// <summary><c>Inventory</c> settings: the stock sources, the locations they feed, safety stock, and the storefront targets.</summary>
public sealed class InventoryOptions
{
    public const string Section = "Inventory";

    /// <summary>Systems that report stock, by name (the name is part of the webhook path and of every report).</summary>
    public Dictionary<string, StockSourceOptions> Sources { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Which platform location each source's warehouse code is. The platform location code is the storefront's source code
    /// (a Magento MSI source). Loaded into the reference cache, so every replica resolves codes the same way.
    /// </summary>
    public List<LocationMapping> Locations { get; set; } = [];

    public ThresholdOptions Thresholds { get; set; } = new();

    /// <summary>Storefronts told about salable stock, by name.</summary>
    public Dictionary<string, StockTargetOptions> Targets { get; set; } = new(StringComparer.Ordinal);

    public PushOptions Push { get; set; } = new();

    public CsvDropOptions CsvDrop { get; set; } = new();

    /// <summary>
    /// Dead-letter reports for SKUs the catalog never published (learned from <c>catalog.products.v1</c>). Off only where no
    /// catalog feeds this deployment.
    /// </summary>
    public bool RequireKnownSku { get; set; } = true;

    [Range(1, 100_000)]
    public int MaxWebhookUpdates { get; set; } = 5000;

    /// <summary>
    /// Buckets the SKUs of one delivery are grouped into on the ingest topic; each bucket is one message, applied in one
    /// read and one write. Keep it at or above the topic's partition count so every partition gets work.
    /// </summary>
    [Range(1, 1024)]
    public int IngestBuckets { get; set; } = 16;

    [Range(1024, 64 * 1024 * 1024)]
    public int MaxWebhookBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// SKU aggregates kept in memory as this replica last wrote them. The next change of that SKU here skips reading
    /// the stored JSON back when its ETag shows nobody else wrote since; a SKU with many open orders is large. 0 turns it off.
    /// </summary>
    [Range(0, 100_000)]
    public int AggregateCacheSize { get; set; } = 1000;

    public IEnumerable<string> Problems()
    {
        foreach (var (name, source) in Sources)
        {
            if (!Enum.IsDefined(source.Reports))
            {
                yield return $"Inventory:Sources:{name}:Reports must be Physical or Available";
            }

            if (source.Pull.Enabled && source.Pull.Interval <= TimeSpan.Zero)
            {
                yield return $"Inventory:Sources:{name}:Pull:Interval must be positive";
            }
        }

        for (var i = 0; i < Locations.Count; i++)
        {
            var mapping = Locations[i];
            if (string.IsNullOrWhiteSpace(mapping.Source) || string.IsNullOrWhiteSpace(mapping.SourceLocation) || string.IsNullOrWhiteSpace(mapping.Location))
            {
                yield return $"Inventory:Locations:{i} needs Source, SourceLocation and Location";
            }
            else if (!Sources.ContainsKey(mapping.Source))
            {
                yield return $"Inventory:Locations:{i}:Source '{mapping.Source}' is not one of Inventory:Sources";
            }
        }

        foreach (var duplicate in Locations.GroupBy(m => (m.Source, m.SourceLocation)).Where(g => g.Count() > 1))
        {
            yield return $"Inventory:Locations maps '{duplicate.Key.SourceLocation}' of source '{duplicate.Key.Source}' more than once";
        }

        foreach (var shared in Locations.GroupBy(m => m.Location).Where(g => g.Select(m => m.Source).Distinct().Count() > 1))
        {
            yield return $"Inventory:Locations: location '{shared.Key}' is fed by more than one source; each location has one owner";
        }

        foreach (var (name, target) in Targets)
        {
            if (!Enum.IsDefined(target.Expects))
            {
                yield return $"Inventory:Targets:{name}:Expects must be PhysicalLessOwnReservations or Net";
            }

            if (target.Enabled && string.IsNullOrWhiteSpace(target.Store))
            {
                yield return $"Inventory:Targets:{name}:Store is required";
            }
        }

        foreach (var problem in Thresholds.Problems())
        {
            yield return problem;
        }

        if (Push.Window < TimeSpan.Zero || Push.PollInterval <= TimeSpan.Zero)
        {
            yield return "Inventory:Push:Window must not be negative and Inventory:Push:PollInterval must be positive";
        }

        if (CsvDrop.Enabled && string.IsNullOrWhiteSpace(CsvDrop.Path))
        {
            yield return "Inventory:CsvDrop:Path is required when the CSV drop is enabled";
        }
    }
}

public sealed class StockSourceOptions
{
    /// <summary>Whether the source's figures are physical on hand or already net of its own allocations.</summary>
    public SourceReports Reports { get; set; } = SourceReports.Physical;

    /// <summary>HMAC secret of the source's webhook; from a Kubernetes secret, never from appsettings.json.</summary>
    public string? WebhookSecret { get; set; }

    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public PullOptions Pull { get; set; } = new();
}

public sealed class PullOptions
{
    /// <summary>Pull this source's changed-since feed (the ERP connector's stock changes).</summary>
    public bool Enabled { get; set; }

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 1000)]
    public int PageSize { get; set; } = 500;
}

public sealed class LocationMapping
{
    public string Source { get; set; } = "";

    /// <summary>The source's warehouse code, e.g. "WH-BER".</summary>
    public string SourceLocation { get; set; } = "";

    /// <summary>The platform's location: the storefront's source code, e.g. "berlin".</summary>
    public string Location { get; set; } = "";
}

public sealed class ThresholdOptions
{
    public decimal SafetyStock { get; set; }

    public decimal LowStockLevel { get; set; } = 5;

    /// <summary>Safety stock per location code.</summary>
    public Dictionary<string, decimal> SafetyStockByLocation { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Safety stock per SKU (all its locations).</summary>
    public Dictionary<string, decimal> SafetyStockBySku { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Safety stock per SKU at one location, keyed <c>sku@location</c>; wins over the other overrides.</summary>
    public Dictionary<string, decimal> SafetyStockBySkuAndLocation { get; set; } = new(StringComparer.Ordinal);

    public Dictionary<string, decimal> LowStockLevelBySku { get; set; } = new(StringComparer.Ordinal);

    public IEnumerable<string> Problems()
    {
        if (SafetyStock < 0 || LowStockLevel < 0)
        {
            yield return "Inventory:Thresholds:SafetyStock and LowStockLevel must not be negative";
        }

        foreach (var (key, value) in SafetyStockByLocation.Concat(SafetyStockBySku).Concat(SafetyStockBySkuAndLocation).Concat(LowStockLevelBySku).Where(o => o.Value < 0))
        {
            yield return $"Inventory:Thresholds override '{key}' must not be negative (got {value})";
        }

        foreach (var key in SafetyStockBySkuAndLocation.Keys.Where(k => k.Split('@') is not [{ Length: > 0 }, { Length: > 0 }]))
        {
            yield return $"Inventory:Thresholds:SafetyStockBySkuAndLocation key '{key}' must read sku@location";
        }
    }
}

public sealed class StockTargetOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>What the target does with the figure: Magento MSI subtracts its own reservations, Shopify does not.</summary>
    public TargetExpects Expects { get; set; } = TargetExpects.PhysicalLessOwnReservations;

    /// <summary>Store code the target's API is called with (Magento: the store view code in <c>/rest/&lt;store&gt;/V1</c>).</summary>
    public string Store { get; set; } = "default";
}

public sealed class PushOptions
{
    /// <summary>Changes of one SKU within this window go out in one push; a threshold crossing goes at once.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the pusher looks for due SKUs when nothing wakes it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Most SKUs taken per round.</summary>
    [Range(1, 100_000)]
    public int MaxSkusPerRound { get; set; } = 5000;

    /// <summary>A round with more items than this goes through the async bulk endpoint; threshold pushes never do.</summary>
    [Range(1, 100_000)]
    public int BulkAbove { get; set; } = 100;

    public TimeSpan BulkPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan BulkTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Wait before a failed push is tried again.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class CsvDropOptions
{
    public bool Enabled { get; set; }

    /// <summary>Root folder; each source drops its files into <c>&lt;Path&gt;/&lt;source&gt;/</c>.</summary>
    public string Path { get; set; } = "";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
