namespace Platform.Connectors.Magento;

// An order as Magento's REST API returns it (sales order interface), reduced to what the platform uses.
// Amounts are in the order currency (OrderCurrencyCode); Base* amounts are in the store's base currency.
public sealed record MagentoOrder
{
    public required long EntityId { get; init; }

    public required string IncrementId { get; init; }

    public required int StoreId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public required string Status { get; init; }

    public required string State { get; init; }

    public required string OrderCurrencyCode { get; init; }

    public string? BaseCurrencyCode { get; init; }

    public required decimal GrandTotal { get; init; }

    public decimal? BaseGrandTotal { get; init; }

    public required decimal Subtotal { get; init; }

    public decimal ShippingAmount { get; init; }

    // Magento reports discounts as negative numbers (e.g. -5.00).
    public decimal DiscountAmount { get; init; }

    public decimal TaxAmount { get; init; }

    public long? CustomerId { get; init; }

    public bool CustomerIsGuest { get; init; }

    public string? CustomerEmail { get; init; }

    // Every item exactly as Magento sent it, parents and children alike.
    public required IReadOnlyList<MagentoOrderItem> Items { get; init; }

    public MagentoAddress? BillingAddress { get; init; }

    // From extension_attributes.shipping_assignments[].shipping.address; null for virtual orders.
    public MagentoAddress? ShippingAddress { get; init; }

    public MagentoAddress? ShipTo => ShippingAddress ?? BillingAddress;

    // The order's JSON exactly as Magento sent it, so a poll can hand it on just as a webhook would.
    public ReadOnlyMemory<byte> Document { get; init; }

    // The lines a back office should see, each sold unit once. Magento writes a configurable product as
    // two items: the parent (product_type "configurable") carries the chosen simple product's SKU, the
    // price and the row totals, while its child (parent_item_id set, price 0) only repeats the SKU and
    // quantity. Exporting both would double the line, so children of such parents are dropped. A bundle
    // is the opposite when its price is dynamic: the children carry the amounts and the parent's are 0,
    // so then the children are exported instead of the parent. A child whose parent is not in the order
    // is kept rather than lost.
    public IReadOnlyList<MagentoOrderItem> Lines => SelectLines(Items);

    private static List<MagentoOrderItem> SelectLines(IReadOnlyList<MagentoOrderItem> items)
    {
        var itemIds = items.Select(i => i.ItemId).ToHashSet();
        var childrenByParent = items
            .Where(i => i.ParentItemId is { } parent && itemIds.Contains(parent))
            .ToLookup(i => i.ParentItemId!.Value);
        var lines = new List<MagentoOrderItem>();
        foreach (var item in items)
        {
            if (item.ParentItemId is { } parentId && itemIds.Contains(parentId))
            {
                continue;
            }

            var children = childrenByParent[item.ItemId].ToList();
            if (item.ProductType == MagentoProductTypes.Bundle && children.Any(c => c.RowTotal != 0))
            {
                lines.AddRange(children);
            }
            else
            {
                lines.Add(item);
            }
        }

        return lines;
    }
}

public sealed record MagentoOrderItem
{
    public required long ItemId { get; init; }

    public long? ParentItemId { get; init; }

    public required string Sku { get; init; }

    public required string ProductType { get; init; }

    // Quantities are decimals: products sold by weight or length order fractions (e.g. 1.5).
    public required decimal QtyOrdered { get; init; }

    public decimal QtyShipped { get; init; }

    public decimal QtyCanceled { get; init; }

    public decimal QtyRefunded { get; init; }

    public required decimal Price { get; init; }

    public decimal DiscountAmount { get; init; }

    public decimal TaxAmount { get; init; }

    public required decimal RowTotal { get; init; }
}

// Only the fields the order flow routes and taxes by; names, streets and phone numbers stay in Magento.
public sealed record MagentoAddress(string CountryId, string? RegionCode);

public static class MagentoProductTypes
{
    public const string Simple = "simple";
    public const string Configurable = "configurable";
    public const string Bundle = "bundle";
    public const string Virtual = "virtual";
    public const string Downloadable = "downloadable";
}

public sealed record MagentoOrderPage(
    IReadOnlyList<MagentoOrder> Orders,
    IReadOnlyList<MagentoInvalidOrder> Invalid,
    int TotalCount,
    int CurrentPage,
    int PageSize);

// An order in a list that could not be read (a required field missing or of the wrong type). The rest of
// the page is still usable; the caller dead-letters this one by its ids.
public sealed record MagentoInvalidOrder(long? EntityId, string? IncrementId, DateTimeOffset? UpdatedAt, string Error);
