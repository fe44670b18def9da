using Platform.Connectors;
using Platform.Connectors.Erp;
using Platform.Contracts.Order.V1;
using Platform.Messaging;
using Platform.Order.Domain;
using Platform.Order.Infrastructure;
using Platform.State;

namespace Platform.Order.Handlers;

/// <summary>
/// Sends orders, cancellations and refunds to the ERP as their own documents. Every call carries an idempotency
/// key (order id + revision, or the cancellation / credit memo), so a retry after a lost answer, a redelivery after a
/// crash, or a replayed dead letter never creates a second document.
/// </summary>
public sealed class OrderExportHandler(
    OrderStore orders,
    IErpClient erp,
    IEventPublisher publisher,
    OrderMetrics metrics,
    TimeProvider time) :
    IEventHandler<OrderPlaced>, IEventHandler<OrderRevised>, IEventHandler<OrderCancelled>, IEventHandler<OrderRefunded>
{
    public Task HandleAsync(OrderPlaced @event, EventContext context, CancellationToken cancellationToken) => ExportAsync(@event.OrderId, context, cancellationToken);

    public Task HandleAsync(OrderRevised @event, EventContext context, CancellationToken cancellationToken) => ExportAsync(@event.OrderId, context, cancellationToken);

    public async Task HandleAsync(OrderCancelled @event, EventContext context, CancellationToken cancellationToken)
    {
        var (record, _) = await LoadAsync(@event.OrderId, cancellationToken);
        if (record.ErpDocumentNumber is null)
        {
            // Cancelled before it ever reached the ERP: there is no document to cancel.
            return;
        }

        await CallErpAsync("cancel", () => erp.CancelSalesOrderAsync(
            new ErpCancellation(record.ErpDocumentNumber, $"{record.OrderId}:cancel:{@event.Version}", @event.Reason), cancellationToken));
    }

    public async Task HandleAsync(OrderRefunded @event, EventContext context, CancellationToken cancellationToken)
    {
        var (record, _) = await LoadAsync(@event.OrderId, cancellationToken);
        if (record.ErpDocumentNumber is null)
        {
            throw new InvalidEventException($"order {record.OrderId} was refunded before the ERP had it: no document to credit");
        }

        var lines = @event.Lines.Select(line =>
        {
            var number = LineNumber(record, line.LineId);
            var orderLine = record.Snapshot.Lines[number - 1];
            var quantity = line.Quantity.ToDecimal();
            return new ErpCreditNoteLine(number, line.Sku, quantity, orderLine.Ordered == 0 ? 0 : decimal.Round(orderLine.RowTotal / orderLine.Ordered * quantity, 2));
        }).ToList();
        await CallErpAsync("credit_note", () => erp.CreateCreditNoteAsync(new ErpCreditNote(
            record.ErpDocumentNumber, @event.CreditMemoId, $"{record.OrderId}:creditmemo:{@event.CreditMemoId}", lines, @event.Amount.ToDecimal(), record.Snapshot.Currency), cancellationToken));
    }

    private async Task ExportAsync(string orderId, EventContext context, CancellationToken cancellationToken)
    {
        var (record, etag) = await LoadAsync(orderId, cancellationToken);
        if (!record.AwaitsExport)
        {
            return;
        }

        var accepted = await CallErpAsync("export", () => erp.CreateSalesOrderAsync(ToErp(record), cancellationToken));
        var decision = OrderDecider.Export(record, record.Revision, accepted.DocumentNumber);
        if (decision.Kind != OrderDecisionKind.Applied)
        {
            return;
        }

        var now = time.GetUtcNow();
        var exported = decision.Record! with { AwaitingExportSince = decision.Record.AwaitsExport ? record.AwaitingExportSince : null };
        var transaction = OrderStore.Save(new StateTransaction(), exported, etag);
        foreach (var change in decision.Changes)
        {
            if (OrderContracts.ToEvent(exported, change, now) is { } message)
            {
                transaction.Publish(publisher, StorefrontOrderReceivedHandler.OrdersTopic, orderId, message);
            }
        }

        context.RecordProcessedIn(transaction);
        // A conflict means the order changed meanwhile (a revision arrived): the pipeline retries, the ERP call is
        // idempotent, and the retry sees the new revision.
        await orders.State.CommitAsync(transaction, cancellationToken);
        metrics.Exported(now - (record.AwaitingExportSince ?? now));
    }

    private async Task<T> CallErpAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ErpRejectedException ex)
        {
            metrics.ExportFailed("rejected");
            throw new InvalidEventException($"the ERP refused the {operation}: {ex.Message}", ex);
        }
        catch (ConnectorException ex) when (!ex.IsTransient)
        {
            metrics.ExportFailed("configuration");
            throw new InvalidEventException($"the ERP refused the {operation} ({ex.Message}); check the ERP connector's credentials", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.ExportFailed("transient");
            throw;
        }
    }

    private async Task<(OrderRecord Record, string ETag)> LoadAsync(string orderId, CancellationToken cancellationToken) =>
        await orders.FindAsync(orderId, cancellationToken) ?? throw new InvalidEventException($"order {orderId} is not known to the order service");

    private static int LineNumber(OrderRecord record, string lineId)
    {
        var index = record.Snapshot.Lines.ToList().FindIndex(l => l.LineId == lineId);
        return index >= 0 ? index + 1 : throw new InvalidEventException($"order {record.OrderId} has no line '{lineId}'");
    }

    private static ErpSalesOrder ToErp(OrderRecord record)
    {
        var order = record.Snapshot;
        return new ErpSalesOrder(
            record.OrderId,
            order.StoreCode,
            order.OrderNumber,
            record.Revision,
            order.Currency,
            order.CustomerId,
            order.IsGuest,
            new ErpShipTo(order.Country ?? string.Empty, order.Region),
            // Magento's row_total is before discount; the ERP books the net line.
            order.Lines.Select((line, i) => new ErpSalesOrderLine(i + 1, line.Sku, line.Ordered, line.UnitPrice, line.Discount, line.Tax, line.RowTotal - line.Discount)).ToList(),
            new ErpTotals(order.Totals.Subtotal, order.Totals.Shipping, order.Totals.Discount, order.Totals.Tax, order.Totals.GrandTotal),
            order.PlacedAt);
    }
}
