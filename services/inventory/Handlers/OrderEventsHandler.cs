using Platform.Contracts.Order.V1;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;

namespace Platform.Inventory.Handlers;

/// <summary>
/// Reservations from <c>order.orders.v1</c>: reserve on placed, follow edits, release on cancel and on refunds of what
/// had not shipped, settle on shipment, and note the export (a source reporting available allocates the order from then).
/// </summary>
public sealed class OrderEventsHandler(OrderReservations reservations) :
    IEventHandler<OrderPlaced>,
    IEventHandler<OrderRevised>,
    IEventHandler<OrderCancelled>,
    IEventHandler<OrderRefunded>,
    IEventHandler<OrderShipped>,
    IEventHandler<OrderExported>
{
    public Task HandleAsync(OrderPlaced message, EventContext context, CancellationToken cancellationToken) =>
        Snapshot(message.OrderId, message.Version, message.Order, message.OccurredAt.ToDateTimeOffset(), context, cancellationToken);

    public Task HandleAsync(OrderRevised message, EventContext context, CancellationToken cancellationToken) =>
        Snapshot(message.OrderId, message.Version, message.Order, message.OccurredAt.ToDateTimeOffset(), context, cancellationToken);

    public Task HandleAsync(OrderCancelled message, EventContext context, CancellationToken cancellationToken) =>
        reservations.ApplyAsync(message.OrderId, message.Version,
            Lines(message.OrderId, message.Lines, (line, quantity) => new LineChange(line.LineId, line.Sku, AddCancelled: quantity)),
            null, null, null, message.OccurredAt.ToDateTimeOffset(), context, cancellationToken);

    public Task HandleAsync(OrderRefunded message, EventContext context, CancellationToken cancellationToken) =>
        reservations.ApplyAsync(message.OrderId, message.Version,
            Lines(message.OrderId, message.Lines, (line, quantity) => new LineChange(line.LineId, line.Sku, AddRefunded: quantity)),
            null, null, null, message.OccurredAt.ToDateTimeOffset(), context, cancellationToken);

    public Task HandleAsync(OrderShipped message, EventContext context, CancellationToken cancellationToken) =>
        reservations.ApplyAsync(message.OrderId, message.Version,
            Lines(message.OrderId, message.Lines, (line, quantity) => new LineChange(line.LineId, line.Sku, AddShipped: quantity)),
            string.IsNullOrEmpty(message.ShipmentId) ? null : message.ShipmentId,
            string.IsNullOrEmpty(message.LocationCode) ? null : message.LocationCode,
            null, message.OccurredAt.ToDateTimeOffset(), context, cancellationToken);

    public Task HandleAsync(OrderExported message, EventContext context, CancellationToken cancellationToken) =>
        reservations.ApplyAsync(message.OrderId, message.Version, [], null, null, message.OccurredAt.ToDateTimeOffset(),
            message.OccurredAt.ToDateTimeOffset(), context, cancellationToken);

    private Task Snapshot(string orderId, long version, Order? order, DateTimeOffset occurredAt, EventContext context, CancellationToken cancellationToken)
    {
        if (order is null)
        {
            throw new InvalidEventException($"order {orderId} version {version}: the event carries no order");
        }

        var changes = order.Lines.Select(line => new LineChange(
            line.LineId,
            RequireSku(orderId, line.LineId, line.Sku),
            Ordered: Quantity(orderId, line.LineId, line.QuantityOrdered),
            Shipped: Quantity(orderId, line.LineId, line.QuantityShipped),
            Cancelled: Quantity(orderId, line.LineId, line.QuantityCancelled),
            Refunded: Quantity(orderId, line.LineId, line.QuantityRefunded))).ToList();
        return reservations.ApplyAsync(orderId, version, changes, null, null, null, occurredAt, context, cancellationToken);
    }

    private static List<LineChange> Lines(string orderId, IEnumerable<LineQuantity> lines, Func<LineQuantity, decimal, LineChange> change) =>
        lines.Select(line =>
        {
            RequireSku(orderId, line.LineId, line.Sku);
            return change(line, Quantity(orderId, line.LineId, line.Quantity));
        }).ToList();

    private static string RequireSku(string orderId, string lineId, string sku) =>
        string.IsNullOrWhiteSpace(sku) ? throw new InvalidEventException($"order {orderId} line {lineId} names no SKU") : sku;

    private static decimal Quantity(string orderId, string lineId, Platform.Contracts.Common.V1.DecimalValue? value)
    {
        try
        {
            var quantity = value?.ToDecimal() ?? 0;
            return quantity >= 0 ? quantity : throw new InvalidEventException($"order {orderId} line {lineId}: negative quantity {quantity}");
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidEventException($"order {orderId} line {lineId}: {ex.Message}", ex);
        }
    }
}
