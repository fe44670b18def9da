using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Order.V1;
using Platform.Order.Domain;
using ContractOrder = Platform.Contracts.Order.V1.Order;

namespace Platform.Order.Infrastructure;

/// <summary>The domain order in the shapes of the platform.order.v1 contract (API responses and events).</summary>
public static class OrderContracts
{
    public static ContractOrder ToContract(OrderRecord record)
    {
        var snapshot = record.Snapshot;
        var currency = snapshot.Currency;
        var order = new ContractOrder
        {
            OrderId = record.OrderId,
            StoreCode = snapshot.StoreCode,
            OrderNumber = snapshot.OrderNumber,
            State = ToContract(record.Status),
            Revision = record.Revision,
            CustomerId = snapshot.CustomerId ?? string.Empty,
            CurrencyCode = currency,
            Totals = new Contracts.Order.V1.OrderTotals
            {
                Subtotal = Money.FromDecimal(snapshot.Totals.Subtotal, currency),
                ShippingAmount = Money.FromDecimal(snapshot.Totals.Shipping, currency),
                DiscountAmount = Money.FromDecimal(snapshot.Totals.Discount, currency),
                TaxAmount = Money.FromDecimal(snapshot.Totals.Tax, currency),
                GrandTotal = Money.FromDecimal(snapshot.Totals.GrandTotal, currency),
                RefundedAmount = Money.FromDecimal(snapshot.Totals.Refunded, currency),
            },
            ErpDocumentNumber = record.ErpDocumentNumber ?? string.Empty,
            PlacedAt = Timestamp.FromDateTimeOffset(snapshot.PlacedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(snapshot.UpdatedAt),
            Version = record.Version,
        };
        if (snapshot.Country is not null)
        {
            order.ShippingRegion = new Region { CountryCode = snapshot.Country, RegionCode = snapshot.Region ?? string.Empty };
        }

        order.Lines.AddRange(snapshot.Lines.Select(line => new Contracts.Order.V1.OrderLine
        {
            LineId = line.LineId,
            Sku = line.Sku,
            QuantityOrdered = DecimalValue.FromDecimal(line.Ordered),
            QuantityShipped = DecimalValue.FromDecimal(line.Shipped),
            QuantityCancelled = DecimalValue.FromDecimal(line.Cancelled),
            QuantityRefunded = DecimalValue.FromDecimal(line.Refunded),
            UnitPrice = Money.FromDecimal(line.UnitPrice, currency),
            DiscountAmount = Money.FromDecimal(line.Discount, currency),
            TaxAmount = Money.FromDecimal(line.Tax, currency),
            RowTotal = Money.FromDecimal(line.RowTotal, currency),
        }));
        return order;
    }

    public static OrderState ToContract(OrderStatus status) => status switch
    {
        OrderStatus.Placed => OrderState.Placed,
        OrderStatus.Exported => OrderState.Exported,
        OrderStatus.Invoiced => OrderState.Invoiced,
        OrderStatus.PartiallyShipped => OrderState.PartiallyShipped,
        OrderStatus.Shipped => OrderState.Shipped,
        OrderStatus.PartiallyRefunded => OrderState.PartiallyRefunded,
        OrderStatus.Refunded => OrderState.Refunded,
        OrderStatus.Cancelled => OrderState.Cancelled,
        _ => OrderState.Unspecified,
    };

    /// <summary>The event each change is announced as on order.orders.v1; invoices are not announced.</summary>
    public static Google.Protobuf.IMessage? ToEvent(OrderRecord record, OrderChange change, DateTimeOffset now)
    {
        var at = Timestamp.FromDateTimeOffset(now);
        var id = record.OrderId;
        var currency = record.Snapshot.Currency;
        return change switch
        {
            OrderChange.Placed => new OrderPlaced { OrderId = id, Version = record.Version, Order = ToContract(record), OccurredAt = at },
            OrderChange.Revised revised => new OrderRevised { OrderId = id, Version = record.Version, Order = ToContract(record), PreviousRevision = revised.PreviousRevision, OccurredAt = at },
            OrderChange.Exported exported => new OrderExported
            {
                OrderId = id,
                Version = record.Version,
                Revision = exported.Revision,
                ErpDocumentNumber = exported.ErpDocumentNumber,
                IdempotencyKey = OrderRecord.ExportKeyFor(id, exported.Revision),
                OccurredAt = at,
            },
            OrderChange.Cancelled cancelled => new OrderCancelled { OrderId = id, Version = record.Version, Lines = { Lines(cancelled.Lines) }, Reason = "cancelled in the storefront", CancelledBy = "storefront", OccurredAt = at },
            OrderChange.Refunded refunded => new OrderRefunded
            {
                OrderId = id,
                Version = record.Version,
                CreditMemoId = $"{id}:refund:{record.Version}",
                Lines = { Lines(refunded.Lines) },
                Amount = Money.FromDecimal(refunded.Amount, currency),
                FullyRefunded = refunded.Fully,
                OccurredAt = at,
            },
            OrderChange.Shipped shipped => new OrderShipped { OrderId = id, Version = record.Version, ShipmentId = $"{id}:shipment:{record.Version}", Lines = { Lines(shipped.Lines) }, FullyShipped = shipped.Fully, OccurredAt = at },
            _ => null,
        };
    }

    private static IEnumerable<LineQuantity> Lines(IEnumerable<(string LineId, string Sku, decimal Quantity)> lines) =>
        lines.Select(l => new LineQuantity { LineId = l.LineId, Sku = l.Sku, Quantity = DecimalValue.FromDecimal(l.Quantity) });
}
