using Platform.Inventory.Domain;
using Platform.Messaging;
using Platform.State;

namespace Platform.Inventory.Infrastructure;

/// <summary>What one order event or settle command does to the order's lines.</summary>
public sealed record LineChange(string LineId, string Sku, decimal? Ordered = null, decimal? Shipped = null, decimal? Cancelled = null, decimal? Refunded = null,
    decimal AddShipped = 0, decimal AddCancelled = 0, decimal AddRefunded = 0);

/// <summary>
/// Keeps each order line's reservation equal to its open demand, in one transaction over the order record and every
/// SKU the order touches. Idempotent: an order event not newer than the last one applied, or a shipment settled
/// before, changes nothing.
/// </summary>
public sealed class OrderReservations(StockWriter writer, InventoryMetrics metrics)
{
    /// <param name="version">The order version of the event; 0 for a command, which is idempotent by <paramref name="shipmentId"/> instead.</param>
    /// <returns>The quantity settled, or null when the change had been applied before.</returns>
    public async Task<decimal?> ApplyAsync(
        string orderId,
        long version,
        IReadOnlyList<LineChange> changes,
        string? shipmentId,
        string? shippedFrom,
        DateTimeOffset? exportedAt,
        DateTimeOffset occurredAt,
        EventContext? context,
        CancellationToken cancellationToken)
    {
        var committedMoves = new List<ReservationMove>();
        var backordered = 0;
        var result = await writer.CommitAsync<decimal?>(async (transaction, ct) =>
        {
            committedMoves.Clear();
            backordered = 0;
            var (order, orderETag) = await writer.Store.LoadOrderAsync(orderId, ct);
            if ((version > 0 && version <= order.AppliedVersion) || (shipmentId is not null && order.SettledShipments.Contains(shipmentId)))
            {
                return (null, false);
            }

            foreach (var change in changes)
            {
                if (!order.Lines.TryGetValue(change.LineId, out var line))
                {
                    order.Lines[change.LineId] = line = new OrderLineQuantities { Sku = change.Sku };
                }

                line.Ordered = change.Ordered ?? line.Ordered;
                line.Cancelled = (change.Cancelled ?? line.Cancelled) + change.AddCancelled;
                line.Refunded = (change.Refunded ?? line.Refunded) + change.AddRefunded;
                if (change.Shipped is { } shipped)
                {
                    line.Shipped = shipped;
                }
            }

            var skus = order.Lines.Values.Select(l => l.Sku).Distinct(StringComparer.Ordinal).ToList();
            var stocks = await writer.LoadForUpdateAsync(transaction, skus, ct);
            var previous = stocks.ToDictionary(s => s.Key, s => s.Value.Stock.Status(writer.Policy), StringComparer.Ordinal);
            var moves = stocks.Keys.ToDictionary(sku => sku, _ => new List<ReservationMove>(), StringComparer.Ordinal);
            var touched = new HashSet<string>(StringComparer.Ordinal);
            var settled = 0m;

            foreach (var change in changes.Where(c => c.AddShipped > 0))
            {
                var line = order.Lines[change.LineId];
                // Never settle more than is still to ship: a shipment reported twice (event and command) settles once.
                var quantity = Math.Min(change.AddShipped, Math.Max(0, line.Ordered - line.Shipped - line.Cancelled));
                line.Shipped += change.AddShipped;
                if (quantity > 0)
                {
                    var stock = stocks[line.Sku].Stock;
                    moves[line.Sku].AddRange(stock.Settle(orderId, change.LineId, quantity, occurredAt, writer.Policy, shippedFrom));
                    touched.Add(line.Sku);
                    settled += quantity;
                }
            }

            foreach (var (lineId, line) in order.Lines)
            {
                var stock = stocks[line.Sku].Stock;
                var before = stock.Version;
                var lineMoves = stock.SetDemand(orderId, lineId, line.Open, writer.Policy);
                moves[line.Sku].AddRange(lineMoves);
                if (stock.Version != before)
                {
                    touched.Add(line.Sku);
                    if (stock.Reservations.GetValueOrDefault(SkuStock.ReservationKey(orderId, lineId)) is { Backordered: > 0 } && lineMoves.All(m => m.Kind != ReservationMoveKind.Released))
                    {
                        backordered++;
                    }
                }
            }

            if (exportedAt is { } exported)
            {
                order.ExportedAt ??= exported;
                foreach (var sku in skus.Where(sku => stocks[sku].Stock.MarkExported(orderId, exported)))
                {
                    touched.Add(sku);
                    moves[sku].AddRange(stocks[sku].Stock.CoverBackorders(writer.Policy));
                }
            }

            order.AppliedVersion = Math.Max(order.AppliedVersion, version);
            if (shipmentId is not null)
            {
                order.SettledShipments.Add(shipmentId);
            }

            StockStore.SaveOrder(transaction, order, orderETag);
            foreach (var sku in touched)
            {
                var (stock, etag) = stocks[sku];
                writer.Record(transaction, stock, etag, previous[sku], [], moves[sku]);
                committedMoves.AddRange(moves[sku]);
            }

            context?.RecordProcessedIn(transaction);
            return (settled, true);
        }, cancellationToken);

        writer.CountMoves(committedMoves);
        for (var i = 0; i < backordered; i++)
        {
            metrics.Backordered();
        }

        return result;
    }
}
