namespace Platform.Sandbox.Systems.Magento;

// The sandbox's own model of Magento's sales entities. Every record is immutable: a change replaces the whole order, so a
// reader (a search, a webhook serializing a snapshot) never sees half of one.

public sealed record SalesStore(int Id, string Code, string Name);

public sealed record SalesCustomer(long? Id, string Email, string Firstname, string Lastname)
{
    public bool IsGuest => Id is null;

    /// <summary>Magento's built-in groups: 0 NOT LOGGED IN, 1 General.</summary>
    public int GroupId => IsGuest ? 0 : 1;
}

public sealed record SalesAddress(
    string Firstname,
    string Lastname,
    IReadOnlyList<string> Street,
    string City,
    string Postcode,
    string CountryId,
    string? Region,
    string? RegionCode,
    int? RegionId,
    string Telephone);

public sealed record SalesOrderItem(
    long ItemId,
    long? ParentItemId,
    long ProductId,
    string Sku,
    string Name,
    string ProductType,
    decimal Price,
    decimal QtyOrdered,
    decimal DiscountAmount,
    decimal TaxPercent,
    decimal TaxAmount)
{
    public decimal QtyInvoiced { get; init; }
    public decimal QtyShipped { get; init; }
    public decimal QtyRefunded { get; init; }
    public decimal QtyCanceled { get; init; }
    public decimal AmountRefunded { get; init; }
    public decimal DiscountRefunded { get; init; }
    public decimal TaxRefunded { get; init; }

    public bool IsChild => ParentItemId is not null;

    public decimal RowTotal => Money.Round(Price * QtyOrdered);

    public decimal QtyToInvoice => Math.Max(0, QtyOrdered - QtyInvoiced - QtyCanceled);

    public decimal QtyToShip => ProductType == "virtual" ? 0 : Math.Max(0, QtyOrdered - QtyShipped - QtyRefunded - QtyCanceled);

    public decimal QtyToRefund => Math.Max(0, QtyInvoiced - QtyRefunded);

    public decimal QtyToCancel => Math.Min(QtyToInvoice, QtyToShip);
}

public sealed record SalesOrder(
    long EntityId,
    string IncrementId,
    SalesStore Store,
    DateTime CreatedAt,
    string Currency,
    SalesCustomer Customer,
    SalesAddress BillingAddress,
    SalesAddress ShippingAddress,
    string ShippingMethod,
    string ShippingDescription,
    decimal ShippingAmount,
    decimal ShippingTaxAmount,
    string PaymentMethod,
    IReadOnlyList<SalesOrderItem> Items)
{
    public DateTime UpdatedAt { get; init; }
    public string State { get; init; } = SalesStates.New;
    public string Status { get; init; } = SalesStates.DefaultStatus(SalesStates.New);
    public decimal TotalInvoiced { get; init; }
    public decimal TotalPaid { get; init; }
    public decimal TotalRefunded { get; init; }
    public decimal SubtotalRefunded { get; init; }
    public decimal DiscountRefunded { get; init; }
    public decimal TaxRefunded { get; init; }
    public decimal ShippingRefunded { get; init; }
    public decimal ShippingTaxRefunded { get; init; }
    public decimal AdjustmentPositive { get; init; }
    public decimal AdjustmentNegative { get; init; }
    public decimal TotalCanceled { get; init; }
    public IReadOnlyList<long> InvoiceIds { get; init; } = [];
    public IReadOnlyList<long> ShipmentIds { get; init; } = [];
    public IReadOnlyList<long> CreditMemoIds { get; init; } = [];

    /// <summary>The items that carry prices and quantities; a configurable product's child only mirrors its parent.</summary>
    public IEnumerable<SalesOrderItem> PricedItems => Items.Where(item => !item.IsChild);

    public decimal Subtotal => PricedItems.Sum(item => item.RowTotal);

    public decimal ItemDiscount => PricedItems.Sum(item => item.DiscountAmount);

    /// <summary>Negative, as Magento stores an order's discount (an item's discount is positive).</summary>
    public decimal DiscountAmount => -ItemDiscount;

    public decimal TaxAmount => PricedItems.Sum(item => item.TaxAmount) + ShippingTaxAmount;

    public decimal GrandTotal => Subtotal - ItemDiscount + ShippingAmount + TaxAmount;

    public decimal TotalQtyOrdered => PricedItems.Sum(item => item.QtyOrdered);

    public bool IsVirtual => PricedItems.All(item => item.ProductType == "virtual");

    public bool CanInvoice =>
        State is not (SalesStates.Canceled or SalesStates.Complete or SalesStates.Closed)
        && PricedItems.Any(item => item.QtyToInvoice > 0);

    public bool CanShip => State != SalesStates.Canceled && PricedItems.Any(item => item.QtyToShip > 0);

    public bool CanCreditmemo =>
        State is not (SalesStates.Canceled or SalesStates.Closed) && Math.Abs(TotalPaid - TotalRefunded) >= 0.0001m;

    /// <summary>As Magento's Order::canCancel: not once everything is invoiced, nor once complete, closed or canceled.</summary>
    public bool CanCancel =>
        State is not (SalesStates.Canceled or SalesStates.Complete or SalesStates.Closed)
        && PricedItems.Any(item => item.QtyToInvoice > 0);
}

public sealed record SalesDocumentLine(
    long EntityId,
    long OrderItemId,
    long ProductId,
    string Sku,
    string Name,
    decimal Price,
    decimal Qty,
    decimal RowTotal,
    decimal DiscountAmount,
    decimal TaxAmount);

public sealed record SalesTrack(long EntityId, string TrackNumber, string Title, string CarrierCode);

public sealed record SalesInvoice(
    long EntityId,
    string IncrementId,
    long OrderId,
    SalesStore Store,
    string Currency,
    DateTime CreatedAt,
    IReadOnlyList<SalesDocumentLine> Lines,
    decimal ShippingAmount,
    decimal ShippingTaxAmount)
{
    public decimal Subtotal => Lines.Sum(line => line.RowTotal);
    public decimal DiscountAmount => -Lines.Sum(line => line.DiscountAmount);
    public decimal TaxAmount => Lines.Sum(line => line.TaxAmount) + ShippingTaxAmount;
    public decimal GrandTotal => Subtotal + DiscountAmount + TaxAmount + ShippingAmount;
}

public sealed record SalesShipment(
    long EntityId,
    string IncrementId,
    long OrderId,
    SalesStore Store,
    DateTime CreatedAt,
    IReadOnlyList<SalesDocumentLine> Lines,
    IReadOnlyList<SalesTrack> Tracks)
{
    public decimal TotalQty => Lines.Sum(line => line.Qty);
}

public sealed record SalesCreditMemo(
    long EntityId,
    string IncrementId,
    long OrderId,
    SalesStore Store,
    string Currency,
    DateTime CreatedAt,
    IReadOnlyList<SalesDocumentLine> Lines,
    decimal ShippingAmount,
    decimal ShippingTaxAmount,
    decimal AdjustmentPositive,
    decimal AdjustmentNegative)
{
    public decimal Subtotal => Lines.Sum(line => line.RowTotal);
    public decimal DiscountAmount => -Lines.Sum(line => line.DiscountAmount);
    public decimal TaxAmount => Lines.Sum(line => line.TaxAmount) + ShippingTaxAmount;
    public decimal GrandTotal => Subtotal + DiscountAmount + TaxAmount + ShippingAmount + AdjustmentPositive - AdjustmentNegative;
}

/// <summary>Magento's order states and the default status of each (Stores > Order Status).</summary>
public static class SalesStates
{
    public const string New = "new";
    public const string Processing = "processing";
    public const string Complete = "complete";
    public const string Closed = "closed";
    public const string Canceled = "canceled";

    public static string DefaultStatus(string state) => state == New ? "pending" : state;
}

internal static class Money
{
    // PHP's round(), which Magento uses, rounds half away from zero.
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}
