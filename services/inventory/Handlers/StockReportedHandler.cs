using Microsoft.Extensions.Options;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.Inventory.Domain;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;

namespace Platform.Inventory.Handlers;

/// <summary>
/// Applies a source's stock report to the SKU: a report not newer than the last one applied for its location is
/// ignored and counted; an unknown SKU, source or location is dead-lettered with the reason.
/// </summary>
public sealed class StockReportedHandler(
    StockWriter writer,
    LocationMap locations,
    IOptionsMonitor<InventoryOptions> options,
    InventoryMetrics metrics,
    SyncFreshness freshness,
    ILogger<StockReportedHandler> logger) : IEventHandler<StockReported>
{
    public async Task HandleAsync(StockReported report, EventContext context, CancellationToken cancellationToken)
    {
        var channel = StockIntake.ChannelName(report.Channel);
        var settings = options.CurrentValue;
        if (!settings.Sources.TryGetValue(report.Source, out var source))
        {
            Reject(report, channel, $"unknown stock source '{report.Source}'");
        }

        if (string.IsNullOrWhiteSpace(report.Sku))
        {
            Reject(report, channel, "the report names no SKU");
        }

        if (settings.RequireKnownSku && !await writer.Store.IsKnownSkuAsync(report.Sku, cancellationToken))
        {
            Reject(report, channel, $"unknown SKU '{report.Sku}': the catalog has not published it");
        }

        var location = await locations.ResolveAsync(report.Source, report.SourceLocation, cancellationToken);
        if (location is null)
        {
            Reject(report, channel, $"unknown location '{report.SourceLocation}' of source '{report.Source}': Inventory:Locations does not map it");
        }

        decimal quantity;
        try
        {
            quantity = report.Quantity?.ToDecimal() ?? throw new InvalidOperationException("quantity is missing");
        }
        catch (InvalidOperationException ex)
        {
            Reject(report, channel, ex.Message);
            throw;
        }

        var domainReport = new StockReport(
            report.Source,
            source!.Reports,
            location!,
            report.Kind == StockReportKind.Adjustment ? ReportKind.Adjustment : ReportKind.Snapshot,
            quantity,
            report.SourceSequence,
            report.MeasuredAt?.ToDateTimeOffset(),
            report.ReceivedAt?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow);

        var outcome = await writer.CommitAsync(async (transaction, ct) =>
        {
            var (stock, etag) = await writer.Store.LoadAsync(report.Sku, ct);
            var previous = stock.Status(writer.Policy);
            var result = stock.Apply(domainReport, writer.Policy);
            if (result.Kind != ReportOutcomeKind.Applied)
            {
                return (result, false);
            }

            writer.Record(transaction, stock, etag, previous, [location!], result.Moves);
            context.RecordProcessedIn(transaction);
            return (result, true);
        }, cancellationToken);

        switch (outcome.Kind)
        {
            case ReportOutcomeKind.Applied:
                metrics.Update(report.Source, channel, "applied");
                writer.CountMoves(outcome.Moves);
                freshness.RecordSuccess($"stock.apply.{report.Source}");
                break;
            case ReportOutcomeKind.Stale:
                metrics.Update(report.Source, channel, "stale");
                logger.LogDebug("Stale stock report for {Sku} at {Location} from {Source}: sequence {Sequence} is not above {Last}",
                    report.Sku, report.SourceLocation, report.Source, report.SourceSequence, outcome.LastSequence);
                break;
            default:
                Reject(report, channel, outcome.Reason!);
                break;
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Reject(StockReported report, string channel, string reason)
    {
        metrics.Update(report.Source, channel, "rejected");
        throw new InvalidEventException($"{reason} ({report.Reference})");
    }
}
