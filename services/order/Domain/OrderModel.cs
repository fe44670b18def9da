namespace Platform.Order.Domain;

public sealed record OrderLine(
    string LineId,
    string Sku,
    decimal Ordered,
    decimal Shipped,
    decimal Cancelled,
    decimal Refunded,
    decimal UnitPrice,
    decimal Discount,
    decimal Tax,
    decimal RowTotal)
{
    /// <summary>What is still to ship: ordered, less what was cancelled or refunded before shipping.</summary>
    public decimal Shippable => Math.Max(0, Ordered - Cancelled - Refunded);

    public bool SameCommercialTerms(OrderLine other) =>
        LineId == other.LineId && Sku == other.Sku && Ordered == other.Ordered && UnitPrice == other.UnitPrice
        && Discount == other.Discount && Tax == other.Tax && RowTotal == other.RowTotal;
}

public sealed record OrderTotals(decimal Subtotal, decimal Shipping, decimal Discount, decimal Tax, decimal GrandTotal, decimal Refunded);

/// <summary>
/// An order as the storefront reported it at <see cref="UpdatedAt"/>: what a webhook or the changed-since poll delivers.
/// Personal data stays out: the buyer is a customer id (none for a guest) and the destination a country and region.
/// </summary>
public sealed record StorefrontOrder(
    string StoreCode,
    string OrderNumber,
    string? CustomerId,
    string Currency,
    IReadOnlyList<OrderLine> Lines,
    OrderTotals Totals,
    string? Country,
    string? Region,
    DateTimeOffset PlacedAt,
    DateTimeOffset UpdatedAt,
    bool Cancelled,
    bool Invoiced)
{
    /// <summary>The platform order id: the store code is part of the identity, so two stores' "000000123" never meet.</summary>
    public string OrderId => OrderIds.For(StoreCode, OrderNumber);

    public bool IsGuest => string.IsNullOrEmpty(CustomerId);

    public decimal TotalShipped => Lines.Sum(l => l.Shipped);
    public decimal TotalRefunded => Lines.Sum(l => l.Refunded);

    public bool FullyShipped => Lines.All(l => l.Shipped >= l.Shippable);

    public bool FullyRefunded => Totals.Refunded >= Totals.GrandTotal && Totals.GrandTotal > 0 || Lines.All(l => l.Refunded >= l.Ordered - l.Cancelled);

    /// <summary>Value equality: the generated record equality would compare the line lists by reference.</summary>
    public bool SameContent(StorefrontOrder other) =>
        this with { Lines = [] } == other with { Lines = [] } && Lines.SequenceEqual(other.Lines);

    public bool SameCommercialTerms(StorefrontOrder other) =>
        Currency == other.Currency && Totals.GrandTotal == other.Totals.GrandTotal && Lines.Count == other.Lines.Count
        && Lines.Zip(other.Lines).All(pair => pair.First.SameCommercialTerms(pair.Second));
}

public static class OrderIds
{
    public static string For(string storeCode, string orderNumber) => $"{storeCode}-{orderNumber}";
}

/// <summary>The platform's order: the latest storefront snapshot plus what the platform did with it.</summary>
public sealed record OrderRecord(
    StorefrontOrder Snapshot,
    OrderStatus Status,
    int Revision,
    bool Invoiced,
    int? ExportedRevision,
    string? ErpDocumentNumber,
    long Version)
{
    /// <summary>When the current revision started waiting for the ERP; the export latency and backlog age count from here.</summary>
    public DateTimeOffset? AwaitingExportSince { get; init; }

    public string OrderId => Snapshot.OrderId;

    /// <summary>The idempotency key of an export: the ERP creates one document per order and revision, whatever the retries.</summary>
    public string ExportKey => ExportKeyFor(OrderId, Revision);

    public bool AwaitsExport => !OrderLifecycle.IsFinal(Status) && ExportedRevision != Revision && Status == OrderStatus.Placed;

    public static string ExportKeyFor(string orderId, int revision) => $"{orderId}:{revision}";
}
