using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Order.Infrastructure;

/// <summary>
/// The order flow's business metrics: what SREs alert on first (orders not reaching the ERP), exported as
/// <c>platform_order_*</c>.
/// </summary>
public sealed class OrderMetrics
{
    public const string MeterName = "Platform.Order";

    private readonly Counter<long> _ingested;
    private readonly Counter<long> _webhooksRejected;
    private readonly Counter<long> _exported;
    private readonly Counter<long> _exportFailures;
    private readonly Counter<long> _illegalTransitions;
    private readonly Histogram<double> _ingestToExport;
    private long _oldestUnexportedAgeMs;
    private long _awaitingExport;
    private long _reconciliationMismatches;

    public OrderMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _ingested = meter.CreateCounter<long>("platform.order.orders.ingested", "{order}", "Storefront order reports processed, by source (webhook, poll) and outcome (applied, unchanged, stale).");
        _webhooksRejected = meter.CreateCounter<long>("platform.order.webhooks.rejected", "{request}", "Webhook requests refused, by reason.");
        _exported = meter.CreateCounter<long>("platform.order.orders.exported", "{order}", "Order revisions the ERP accepted.");
        _exportFailures = meter.CreateCounter<long>("platform.order.export.failures", "{attempt}", "Failed ERP exports, by reason (transient, rejected).");
        _illegalTransitions = meter.CreateCounter<long>("platform.order.illegal_transitions", "{transition}", "Changes refused by the order state machine, by state and action.");
        _ingestToExport = meter.CreateHistogram<double>("platform.order.ingest_to_export.duration", "s", "From the platform receiving an order revision (webhook or poll) to the ERP accepting it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] });
        meter.CreateObservableGauge("platform.order.oldest_unexported.age", () => Interlocked.Read(ref _oldestUnexportedAgeMs) / 1000.0, "s", "Age of the oldest order not yet accepted by the ERP; 0 when none waits.");
        meter.CreateObservableGauge("platform.order.awaiting_export", () => Interlocked.Read(ref _awaitingExport), "{order}", "Orders waiting for the ERP to accept their current revision.");
        meter.CreateObservableGauge("platform.order.reconciliation.mismatches", () => Interlocked.Read(ref _reconciliationMismatches), "{order}", "Orders missing, extra or different between storefront and ERP at the last reconciliation.");
    }

    public void Ingested(string source, string outcome) => _ingested.Add(1, new TagList { { "source", source }, { "outcome", outcome } });

    public void WebhookRejected(string reason) => _webhooksRejected.Add(1, new TagList { { "reason", reason } });

    public void Exported(TimeSpan sinceSeen)
    {
        _exported.Add(1);
        _ingestToExport.Record(Math.Max(0, sinceSeen.TotalSeconds));
    }

    public void ExportFailed(string reason) => _exportFailures.Add(1, new TagList { { "reason", reason } });

    public void IllegalTransition(string from, string action) => _illegalTransitions.Add(1, new TagList { { "from", from }, { "action", action } });

    public void Backlog(long awaiting, TimeSpan oldestAge)
    {
        Interlocked.Exchange(ref _awaitingExport, awaiting);
        Interlocked.Exchange(ref _oldestUnexportedAgeMs, (long)oldestAge.TotalMilliseconds);
    }

    public void ReconciliationMismatches(long mismatches) => Interlocked.Exchange(ref _reconciliationMismatches, mismatches);
}
