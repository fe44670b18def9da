using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Inventory.Domain;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// Compares what each storefront target holds per SKU and source with what the platform computed for it, and exports
/// the drift. Reads the targets' own APIs, never the platform's record of what it pushed: that is what could be wrong.
/// </summary>
public sealed class InventoryReconciler(
    StockStore store,
    IEnumerable<IStockTarget> targets,
    IStockThresholdPolicy policy,
    IOptionsMonitor<InventoryOptions> options,
    InventoryMetrics metrics,
    TimeProvider time)
{
    private const int Chunk = 500;

    public async Task<InventoryReconciliation> ReconcileAsync(IReadOnlyCollection<string> skus, string? targetName, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var chosen = targets
            .Where(t => settings.Targets.TryGetValue(t.Name, out var o) && o.Enabled && (string.IsNullOrEmpty(targetName) || t.Name == targetName))
            .ToList();
        if (!string.IsNullOrEmpty(targetName) && chosen.Count == 0)
        {
            throw new ArgumentException($"no enabled stock target is named '{targetName}'", nameof(targetName));
        }

        var all = skus.Count > 0 ? skus.Distinct(StringComparer.Ordinal).ToList() : await AllSkusAsync(cancellationToken);
        var result = new InventoryReconciliation { Skus = all.Count };
        foreach (var chunk in all.Chunk(Chunk))
        {
            var stocks = await store.LoadManyAsync(chunk, cancellationToken);
            result.PendingPushes += stocks.Values.Count(s => s.Stock.Push.DueAt is not null);
            foreach (var target in chosen)
            {
                var expects = settings.Targets[target.Name].Expects;
                var actual = (await target.ReadAsync(chunk, cancellationToken)).ToDictionary(i => (i.Sku, i.Location));
                var expected = new Dictionary<(string, string), TargetQuantity>();
                foreach (var (sku, (stock, etag)) in stocks)
                {
                    if (etag is null)
                    {
                        continue;
                    }

                    foreach (var location in stock.Locations.Keys)
                    {
                        expected[(sku, location)] = stock.ForTarget(expects, location, policy);
                    }
                }

                foreach (var key in expected.Keys.Union(actual.Keys).OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal))
                {
                    result.Items++;
                    var has = expected.TryGetValue(key, out var want);
                    var held = actual.GetValueOrDefault(key);
                    if (has && held is not null && held.Quantity == want.Quantity && held.InStock == want.InStock)
                    {
                        continue;
                    }

                    var drift = new StockDrift { Target = target.Name, Sku = key.Item1, SourceCode = key.Item2, ExpectedInStock = has && want.InStock, ActualInStock = held?.InStock ?? false };
                    if (has)
                    {
                        drift.ExpectedQuantity = DecimalValue.FromDecimal(want.Quantity);
                    }

                    if (held is not null)
                    {
                        drift.ActualQuantity = DecimalValue.FromDecimal(held.Quantity);
                    }

                    result.Drifts.Add(drift);
                }
            }
        }

        result.Mismatches = result.Drifts.Count;
        result.ReconciledAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        metrics.Drift(result.Mismatches);
        return result;
    }

    private async Task<List<string>> AllSkusAsync(CancellationToken cancellationToken)
    {
        var skus = new List<string>();
        for (long skip = 0; ; skip += 1000)
        {
            var page = await store.ReadSkusAsync(skip, 1000, cancellationToken);
            skus.AddRange(page.Select(e => e.Member));
            if (page.Count < 1000)
            {
                return skus;
            }
        }
    }
}
