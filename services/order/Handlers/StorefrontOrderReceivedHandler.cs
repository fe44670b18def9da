using Microsoft.Extensions.Options;
using Platform.Connectors.Magento;
using Platform.Contracts.Order.V1;
using Platform.Messaging;
using Platform.Order.Domain;
using Platform.Order.Infrastructure;
using Platform.State;

namespace Platform.Order.Handlers;

/// <summary>
/// Turns a storefront report into the platform's order: decides what changed, saves the order, and publishes the
/// changes through the outbox in the same transaction, with the inbox entry, so a redelivered report is a no-op.
/// </summary>
public sealed class StorefrontOrderReceivedHandler(
    OrderStore orders,
    IEventPublisher publisher,
    IOptionsMonitor<OrderOptions> options,
    OrderMetrics metrics,
    TimeProvider time,
    ILogger<StorefrontOrderReceivedHandler> logger) : IEventHandler<StorefrontOrderReceived>
{
    public const string OrdersTopic = "order.orders.v1";

    public async Task HandleAsync(StorefrontOrderReceived report, EventContext context, CancellationToken cancellationToken)
    {
        var source = report.Source == IngestSource.Poll ? "poll" : "webhook";
        if (!options.CurrentValue.Serves(report.StoreCode))
        {
            throw new InvalidEventException($"unknown store code '{report.StoreCode}'");
        }

        StorefrontOrder snapshot;
        try
        {
            snapshot = MagentoOrders.ToSnapshot(report.StoreCode, MagentoOrderDocument.Parse(report.RawOrder.Memory));
        }
        catch (MagentoPayloadException ex)
        {
            throw new InvalidEventException($"order {report.OrderId}: {ex.Message}");
        }

        var current = await orders.FindAsync(snapshot.OrderId, cancellationToken);
        var decision = OrderDecider.Apply(current?.Record, snapshot);
        foreach (var refused in decision.Refused)
        {
            metrics.IllegalTransition(refused.From.ToString(), refused.Action.ToString());
            logger.LogWarning("Order {OrderId}: {Refusal}; the storefront's change was not applied", snapshot.OrderId, refused.Message);
        }

        if (decision.Kind != OrderDecisionKind.Applied)
        {
            metrics.Ingested(source, decision.Kind == OrderDecisionKind.Stale ? "stale" : "unchanged");
            return;
        }

        var now = time.GetUtcNow();
        var record = decision.Record!;
        var wasAwaiting = current?.Record is { AwaitsExport: true } previous && previous.Revision == record.Revision;
        // The wait is counted from the webhook or poll that brought the revision in, so the time it spent on the ingest topic counts too.
        var receivedAt = report.ReceivedAt is { } received && received.ToDateTimeOffset() < now ? received.ToDateTimeOffset() : now;
        record = record with { AwaitingExportSince = !record.AwaitsExport ? null : wasAwaiting ? current!.Value.Record.AwaitingExportSince : receivedAt };
        var transaction = OrderStore.Save(new StateTransaction(), record, current?.ETag);
        foreach (var change in decision.Changes)
        {
            if (OrderContracts.ToEvent(record, change, now) is { } message)
            {
                transaction.Publish(publisher, OrdersTopic, record.OrderId, message);
            }
        }

        context.RecordProcessedIn(transaction);
        await orders.State.CommitAsync(transaction, cancellationToken);
        metrics.Ingested(source, "applied");
    }
}
