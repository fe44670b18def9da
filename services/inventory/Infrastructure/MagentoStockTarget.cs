using Microsoft.Extensions.Options;
using Platform.Connectors;
using Platform.Connectors.Magento;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// Magento MSI source items as a stock target. Threshold pushes and small rounds go synchronously, cut to the store's
/// web API input limit with a SKU's sources kept in one call; larger rounds go through the async bulk endpoint in one
/// call, and the bulk is followed until Magento has applied it, so "pushed" always means "Magento holds it".
/// </summary>
public sealed class MagentoStockTarget(
    string name,
    IMagentoInventoryClient magento,
    IOptionsMonitor<InventoryOptions> options,
    InventoryMetrics metrics,
    ILogger<MagentoStockTarget> logger) : IStockTarget
{
    // Threshold pushes must not queue behind each other; the connector's rate limiter still bounds the store's load.
    private const int SyncConcurrency = 16;

    public string Name => name;

    private string Store => options.CurrentValue.Targets[name].Store;

    public async Task<TargetPushResult> PushAsync(IReadOnlyList<TargetItem> items, bool urgent, CancellationToken cancellationToken)
    {
        var push = options.CurrentValue.Push;
        // Magento's web API input limit (Platform:Connectors:magento:Inventory:InputLimit) caps the entries of one call.
        var batches = BatchBySku(items, magento.InputLimit);
        if (urgent || items.Count <= push.BulkAbove || batches.Count == 1)
        {
            var results = new List<TargetPushResult>();
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = SyncConcurrency, CancellationToken = cancellationToken }, async (batch, ct) =>
            {
                var result = await SaveAsync(batch, ct);
                lock (results)
                {
                    results.Add(result);
                }
            });
            return new TargetPushResult([.. results.SelectMany(r => r.Accepted)], [.. results.SelectMany(r => r.Failed)]);
        }

        return await SaveInBulkAsync(batches, push, cancellationToken);
    }

    public async Task<IReadOnlyList<TargetItem>> ReadAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken)
    {
        var items = new List<TargetItem>();
        await foreach (var page in magento.EnumerateSourceItemsAsync(Store, skus, cancellationToken: cancellationToken))
        {
            items.AddRange(page.Items.Select(i => new TargetItem(i.Sku, i.SourceCode, i.Quantity, i.Status == MagentoSourceItemStatus.InStock)));
        }

        return items;
    }

    private async Task<TargetPushResult> SaveAsync(IReadOnlyList<TargetItem> batch, CancellationToken cancellationToken)
    {
        try
        {
            await magento.SaveSourceItemsAsync(Store, batch.Select(ToMagento).ToList(), cancellationToken);
            metrics.Pushed(name, "sync", "accepted", batch.Count);
            return new TargetPushResult(batch, []);
        }
        catch (MagentoRejectedException ex) when (batch.Count > 1)
        {
            // One refused item refuses the call: send the items one by one so only the bad one stays behind.
            metrics.Pushed(name, "sync", "rejected", batch.Count);
            logger.LogWarning("Magento refused a source-items call of {Count} items ({Reason}); sending them one by one", batch.Count, ex.Message);
            var singles = await Task.WhenAll(batch.Select(item => SaveAsync([item], cancellationToken)));
            return new TargetPushResult([.. singles.SelectMany(r => r.Accepted)], [.. singles.SelectMany(r => r.Failed)]);
        }
        catch (MagentoRejectedException ex)
        {
            metrics.Pushed(name, "sync", "rejected", batch.Count);
            return new TargetPushResult([], [(batch[0], false, ex.Message)]);
        }
        catch (ConnectorException ex)
        {
            metrics.Pushed(name, "sync", "failed", batch.Count);
            return new TargetPushResult([], [.. batch.Select(item => (item, ex.IsTransient, ex.Message))]);
        }
    }

    private async Task<TargetPushResult> SaveInBulkAsync(IReadOnlyList<IReadOnlyList<TargetItem>> batches, PushOptions push, CancellationToken cancellationToken)
    {
        MagentoBulkAccepted accepted;
        try
        {
            accepted = await magento.StartSourceItemsBulkAsync(Store, batches.Select(b => (IReadOnlyList<MagentoSourceItem>)b.Select(ToMagento).ToList()).ToList(), cancellationToken);
        }
        catch (Exception ex) when (ex is ConnectorException or MagentoRejectedException)
        {
            metrics.Pushed(name, "bulk", "failed", batches.Sum(b => b.Count));
            var transient = ex is ConnectorException { IsTransient: true };
            return new TargetPushResult([], [.. batches.SelectMany(b => b).Select(item => (item, transient, ex.Message))]);
        }

        var failed = new List<(TargetItem, bool, string)>();
        var scheduled = new List<IReadOnlyList<TargetItem>>();
        foreach (var request in accepted.RequestItems.OrderBy(r => r.Id))
        {
            if (request.Status == MagentoBulkRequestItemStatus.Accepted)
            {
                scheduled.Add(batches[request.Id]);
            }
            else
            {
                failed.AddRange(batches[request.Id].Select(item => (item, false, request.ErrorMessage ?? "refused by the bulk API")));
            }
        }

        MagentoBulkStatus status;
        try
        {
            status = await magento.WaitForBulkAsync(accepted.BulkUuid, push.BulkPollInterval, push.BulkTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or ConnectorException)
        {
            metrics.Pushed(name, "bulk", "failed", scheduled.Sum(b => b.Count));
            failed.AddRange(scheduled.SelectMany(b => b).Select(item => (item, true, $"bulk {accepted.BulkUuid} not finished: {ex.Message}")));
            return new TargetPushResult([], failed);
        }

        // Magento numbers the operations of a bulk in the order of the requests that created them.
        var operations = status.Operations.OrderBy(o => o.Id).ToList();
        var done = new List<TargetItem>();
        for (var i = 0; i < scheduled.Count; i++)
        {
            var operation = i < operations.Count ? operations[i] : null;
            if (operation is { Status: MagentoBulkOperationStatus.Complete })
            {
                done.AddRange(scheduled[i]);
            }
            else
            {
                var transient = operation is null or { Status: MagentoBulkOperationStatus.RetriablyFailed };
                failed.AddRange(scheduled[i].Select(item => (item, transient, operation?.ResultMessage ?? "operation missing from the bulk status")));
            }
        }

        metrics.Pushed(name, "bulk", failed.Count == 0 ? "accepted" : "partly_failed", done.Count);
        return new TargetPushResult(done, failed);
    }

    // A SKU's sources stay in one call, so a SKU is never split over two calls of one round.
    private static List<IReadOnlyList<TargetItem>> BatchBySku(IReadOnlyList<TargetItem> items, int inputLimit)
    {
        var batches = new List<IReadOnlyList<TargetItem>>();
        var current = new List<TargetItem>();
        foreach (var sku in items.GroupBy(i => i.Sku, StringComparer.Ordinal))
        {
            var group = sku.ToList();
            if (inputLimit > 0 && current.Count > 0 && current.Count + group.Count > inputLimit)
            {
                batches.Add(current);
                current = [];
            }

            current.AddRange(group);
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        return batches;
    }

    private static MagentoSourceItem ToMagento(TargetItem item) =>
        new(item.Sku, item.Location, item.Quantity, item.InStock ? MagentoSourceItemStatus.InStock : MagentoSourceItemStatus.OutOfStock);
}
