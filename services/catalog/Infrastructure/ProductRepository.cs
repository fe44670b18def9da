using Platform.Contracts.Catalog.V1;
using Platform.Hosting.Runtime;
using Platform.State;

namespace Platform.Catalog.Infrastructure;

/// <summary>Products as last published from the PIM, one key per SKU.</summary>
public sealed class ProductRepository(IStateStore store)
{
    public static string KeyFor(string sku) => "product:" + sku;

    public Task<Product?> FindAsync(string sku, CancellationToken cancellationToken) =>
        store.GetMessageAsync(KeyFor(sku), Product.Parser, cancellationToken);
}
