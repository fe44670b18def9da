using System.Globalization;
using Microsoft.Extensions.Options;
using Platform.Connectors.Erp;
using Platform.Connectors.Magento;
using Platform.Hosting.Runtime;
using Platform.Order.Domain;

namespace Platform.Order.Infrastructure;

public sealed record CurrencySum(string Currency, decimal Total, long Orders);

public sealed record OrderMismatch(string OrderId, string Field, string StorefrontValue, string ErpValue);

public sealed record OrderReconciliationReport(
    DateTimeOffset From,
    DateTimeOffset To,
    long StorefrontOrders,
    long ErpOrders,
    IReadOnlyList<CurrencySum> StorefrontTotals,
    IReadOnlyList<CurrencySum> ErpTotals,
    IReadOnlyList<string> MissingInErp,
    IReadOnlyList<string> ExtraInErp,
    IReadOnlyList<OrderMismatch> Different,
    DateTimeOffset ReconciledAt)
{
    public long Mismatches => MissingInErp.Count + ExtraInErp.Count + Different.Count;
}

/// <summary>
/// Proves the order flow: for a window of storefront creation times, the storefront's orders against the ERP's
/// documents. The ERP dates its documents when it receives them, a little after the storefront's creation time, so
/// its side is read with some slack after the window, and an ERP document outside the storefront window is only
/// "extra" when the platform does not know it as an order of another window.
/// </summary>
public sealed class OrderReconciler(
    IMagentoClient magento,
    IErpClient erp,
    OrderStore orders,
    IOptionsMonitor<OrderOptions> options,
    OrderMetrics metrics,
    SyncFreshness freshness,
    TimeProvider time)
{
    public static readonly TimeSpan ErpSlack = TimeSpan.FromHours(1);

    public async Task<OrderReconciliationReport> ReconcileAsync(DateTimeOffset from, DateTimeOffset to, string? storeCode, CancellationToken cancellationToken)
    {
        if (to <= from)
        {
            throw new ArgumentException($"the window must end after it starts (from {from:O}, to {to:O})");
        }

        var stores = storeCode is { Length: > 0 } ? [storeCode] : options.CurrentValue.Stores.Order(StringComparer.Ordinal).ToList();
        if (storeCode is { Length: > 0 } && !options.CurrentValue.Serves(storeCode))
        {
            throw new ArgumentException($"store code '{storeCode}' is not served by this deployment");
        }

        var storefront = new Dictionary<string, MagentoOrder>(StringComparer.Ordinal);
        foreach (var store in stores)
        {
            await foreach (var page in magento.EnumerateOrdersCreatedBetweenAsync(store, from, to, 200, cancellationToken))
            {
                foreach (var order in page.Orders)
                {
                    storefront[OrderIds.For(store, order.IncrementId)] = order;
                }
            }
        }

        var documents = new Dictionary<string, ErpSalesOrderSummary>(StringComparer.Ordinal);
        foreach (var store in stores)
        {
            await foreach (var page in erp.EnumerateSalesOrdersAsync(from, to + ErpSlack, store, 200, cancellationToken))
            {
                foreach (var document in page.Items)
                {
                    documents[document.OrderReference] = document;
                }
            }
        }

        var missing = storefront.Keys.Where(id => !documents.ContainsKey(id)).Order(StringComparer.Ordinal).ToList();
        var extra = new List<string>();
        foreach (var reference in documents.Keys.Where(id => !storefront.ContainsKey(id)).Order(StringComparer.Ordinal))
        {
            var known = await orders.FindAsync(reference, cancellationToken);
            if (known is null || (known.Value.Record.Snapshot.PlacedAt >= from && known.Value.Record.Snapshot.PlacedAt < to))
            {
                extra.Add(reference);
            }
        }

        var different = new List<OrderMismatch>();
        foreach (var (id, order) in storefront.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (!documents.TryGetValue(id, out var document))
            {
                continue;
            }

            if (!string.Equals(order.OrderCurrencyCode, document.Currency, StringComparison.OrdinalIgnoreCase))
            {
                different.Add(new OrderMismatch(id, "currency", order.OrderCurrencyCode, document.Currency));
            }
            else if (order.GrandTotal != document.GrandTotal)
            {
                different.Add(new OrderMismatch(id, "grand_total", Text(order.GrandTotal), Text(document.GrandTotal)));
            }
        }

        var inErpWindow = documents.Values.Where(d => storefront.ContainsKey(d.OrderReference) || extra.Contains(d.OrderReference)).ToList();
        var report = new OrderReconciliationReport(
            from,
            to,
            storefront.Count,
            inErpWindow.Count,
            storefront.Values.GroupBy(o => o.OrderCurrencyCode.ToUpperInvariant()).Select(g => new CurrencySum(g.Key, g.Sum(o => o.GrandTotal), g.Count())).OrderBy(s => s.Currency, StringComparer.Ordinal).ToList(),
            inErpWindow.GroupBy(d => d.Currency.ToUpperInvariant()).Select(g => new CurrencySum(g.Key, g.Sum(d => d.GrandTotal), g.Count())).OrderBy(s => s.Currency, StringComparer.Ordinal).ToList(),
            missing,
            extra,
            different,
            time.GetUtcNow());
        metrics.ReconciliationMismatches(report.Mismatches);
        freshness.RecordSuccess("orders.reconciliation");
        return report;
    }

    private static string Text(decimal value) => value.ToString("0.00##", CultureInfo.InvariantCulture);
}
