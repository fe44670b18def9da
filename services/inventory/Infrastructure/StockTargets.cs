namespace Platform.Inventory.Infrastructure;

/// <summary>One source item a target should hold.</summary>
public sealed record TargetItem(string Sku, string Location, decimal Quantity, bool InStock);

/// <summary>What a target did with one push: items it holds now, and items it did not take, with why.</summary>
public sealed record TargetPushResult(IReadOnlyList<TargetItem> Accepted, IReadOnlyList<(TargetItem Item, bool Transient, string Reason)> Failed);

/// <summary>A storefront that is told salable stock (one per configured target).</summary>
public interface IStockTarget
{
    string Name { get; }

    /// <summary>
    /// Sends the items; <paramref name="urgent"/> items (threshold crossings) go by the fastest path the target has.
    /// Never throws for a refused or failed item: it is reported in the result so the pusher can try it again.
    /// </summary>
    Task<TargetPushResult> PushAsync(IReadOnlyList<TargetItem> items, bool urgent, CancellationToken cancellationToken);

    /// <summary>What the target holds for the SKUs, per location, for reconciliation.</summary>
    Task<IReadOnlyList<TargetItem>> ReadAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken);
}
