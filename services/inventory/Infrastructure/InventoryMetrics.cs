using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Inventory.Infrastructure;

/// <summary>The inventory flow's business metrics, exported as <c>platform_inventory_*</c>.</summary>
public sealed class InventoryMetrics
{
    public const string MeterName = "Platform.Inventory";

    private readonly Counter<long> _updates;
    private readonly Counter<long> _intakeRejected;
    private readonly Counter<long> _reservations;
    private readonly Counter<long> _backordered;
    private readonly Counter<long> _pushes;
    private readonly Histogram<long> _itemsPerPush;
    private readonly Histogram<double> _pushLatency;
    private readonly Counter<long> _pushFailures;
    private long _drift;
    private long _pushBacklog;

    public InventoryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _updates = meter.CreateCounter<long>("platform.inventory.updates", "{update}", "Stock reports processed, by source, channel and outcome (applied, stale, rejected).");
        _intakeRejected = meter.CreateCounter<long>("platform.inventory.intake.rejected", "{update}", "Stock reports refused at intake before reaching the ingest topic, by source, channel and reason.");
        _reservations = meter.CreateCounter<long>("platform.inventory.reservations", "{change}", "Reservation changes, by kind (reserved, released, settled).");
        _backordered = meter.CreateCounter<long>("platform.inventory.backordered", "{line}", "Order lines whose demand could not be covered by salable stock when they arrived.");
        _pushes = meter.CreateCounter<long>("platform.inventory.pushes", "{call}", "Storefront calls made to push stock, by target, mode (sync, bulk) and outcome.");
        _itemsPerPush = meter.CreateHistogram<long>("platform.inventory.push.items", "{item}", "Source items sent per storefront call.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000] });
        _pushLatency = meter.CreateHistogram<double>("platform.inventory.push.latency", "s", "From the first change of a SKU not yet pushed to the storefront accepting it, by kind (threshold, ordinary).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _pushFailures = meter.CreateCounter<long>("platform.inventory.push.failures", "{item}", "Source items the storefront did not accept, by target and reason (transient, rejected).");
        meter.CreateObservableGauge("platform.inventory.reconciliation.drift", () => Interlocked.Read(ref _drift), "{item}", "SKU and source pairs whose storefront figure differed from the platform's at the last reconciliation.");
        meter.CreateObservableGauge("platform.inventory.push.backlog", () => Interlocked.Read(ref _pushBacklog), "{sku}", "SKUs with a change not pushed to the storefront yet.");
    }

    public void Update(string source, string channel, string outcome) =>
        _updates.Add(1, new TagList { { "source", source }, { "channel", channel }, { "outcome", outcome } });

    public void IntakeRejected(string source, string channel, string reason, long count = 1) =>
        _intakeRejected.Add(count, new TagList { { "source", source }, { "channel", channel }, { "reason", reason } });

    public void Reservation(string kind) => _reservations.Add(1, new TagList { { "kind", kind } });

    public void Backordered() => _backordered.Add(1);

    public void Pushed(string target, string mode, string outcome, int items)
    {
        _pushes.Add(1, new TagList { { "target", target }, { "mode", mode }, { "outcome", outcome } });
        if (outcome == "accepted")
        {
            _itemsPerPush.Record(items, new TagList { { "target", target }, { "mode", mode } });
        }
    }

    public void PushLatency(string target, bool threshold, TimeSpan latency) =>
        _pushLatency.Record(Math.Max(0, latency.TotalSeconds), new TagList { { "target", target }, { "kind", threshold ? "threshold" : "ordinary" } });

    public void PushFailed(string target, string reason, int items) => _pushFailures.Add(items, new TagList { { "target", target }, { "reason", reason } });

    public void Drift(long drift) => Interlocked.Exchange(ref _drift, drift);

    public void PushBacklog(long skus) => Interlocked.Exchange(ref _pushBacklog, skus);
}
