using Platform.Contracts.Catalog.V1;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;

namespace Platform.Inventory.Handlers;

/// <summary>
/// Learns which SKUs exist from <c>catalog.products.v1</c>: stock reported for a SKU the catalog never published is
/// dead-lettered instead of creating stock for a product the storefront cannot sell.
/// </summary>
public sealed class ProductEventsHandler(StockStore store) : IEventHandler<ProductUpserted>, IEventHandler<ProductRemoved>
{
    public async Task HandleAsync(ProductUpserted message, EventContext context, CancellationToken cancellationToken)
    {
        var transaction = new Platform.State.StateTransaction().Set(StockStore.KnownSkuKey(message.Sku), BitConverter.GetBytes(message.Version));
        await store.State.CommitAsync(context.RecordProcessedIn(transaction), cancellationToken);
    }

    public async Task HandleAsync(ProductRemoved message, EventContext context, CancellationToken cancellationToken)
    {
        var transaction = new Platform.State.StateTransaction().Delete(StockStore.KnownSkuKey(message.Sku));
        await store.State.CommitAsync(context.RecordProcessedIn(transaction), cancellationToken);
    }
}
