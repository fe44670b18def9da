using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.Inventory.Domain;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;

namespace Platform.Inventory.Handlers;

/// <summary>
/// Applies sources' stock reports to their SKUs: a batch (how intake sends them) in one read and one write of the SKUs it
/// names, a single report (one a batch could not apply, or a replayed dead letter) on its own. A report not newer than
/// the last one applied for its location is ignored and counted; an unknown SKU, source or location is dead-lettered
/// with the reason, one report at a time, while the rest of its batch applies.
/// </summary>
public sealed class StockReportedHandler(
    StockWriter writer,
    StockReportInterpreter interpreter,
    StockIntake intake,
    InventoryMetrics metrics,
    SyncFreshness freshness,
    ILogger<StockReportedHandler> logger) : IEventHandler<StockReported>, IEventHandler<StockReportBatch>
{
    public async Task HandleAsync(StockReported report, EventContext context, CancellationToken cancellationToken)
    {
        var interpreted = (await interpreter.InterpretAsync([report], cancellationToken))[0];
        if (interpreted.Rejection is not null)
        {
            metrics.Update(report.Source, StockIntake.ChannelName(report.Channel), "rejected");
            throw new InvalidEventException(interpreted.Rejection);
        }

        var outcomes = await ApplyAsync([interpreted], context, cancellationToken);
        if (outcomes[0].Outcome.Kind == ReportOutcomeKind.Invalid)
        {
            metrics.Update(report.Source, StockIntake.ChannelName(report.Channel), "rejected");
            throw new InvalidEventException($"{outcomes[0].Outcome.Reason} ({report.Reference})");
        }

        Count(outcomes);
    }

    public async Task HandleAsync(StockReportBatch batch, EventContext context, CancellationToken cancellationToken)
    {
        var interpreted = await interpreter.InterpretAsync(batch.Reports, cancellationToken);
        var outcomes = await ApplyAsync(interpreted.Where(i => i.Report is not null).ToList(), context, cancellationToken);

        // What the batch cannot apply goes on alone, to be dead-lettered with its reason (and replayed alone).
        foreach (var refused in interpreted.Where(i => i.Report is null).Select(i => i.Message)
                     .Concat(outcomes.Where(o => o.Outcome.Kind == ReportOutcomeKind.Invalid).Select(o => o.Message)))
        {
            await intake.PublishSingleAsync(refused, cancellationToken);
        }

        Count(outcomes.Where(o => o.Outcome.Kind != ReportOutcomeKind.Invalid).ToList());
    }

    private Task<List<(StockReported Message, ReportOutcome Outcome)>> ApplyAsync(IReadOnlyList<InterpretedReport> reports, EventContext context, CancellationToken cancellationToken) =>
        writer.CommitAsync(async (transaction, ct) =>
        {
            var results = new List<(StockReported, ReportOutcome)>(reports.Count);
            var bySku = reports.GroupBy(r => r.Message.Sku, StringComparer.Ordinal).ToList();
            var stocks = await writer.LoadForUpdateAsync(transaction, bySku.Select(g => g.Key).ToList(), ct);
            foreach (var group in bySku)
            {
                var (stock, etag) = stocks[group.Key];
                var previous = stock.Status(writer.Policy);
                var changed = new List<string>();
                var moves = new List<ReservationMove>();
                foreach (var report in group)
                {
                    var outcome = stock.Apply(report.Report!, writer.Policy);
                    results.Add((report.Message, outcome));
                    if (outcome.Kind == ReportOutcomeKind.Applied)
                    {
                        changed.Add(report.Report!.Location);
                        moves.AddRange(outcome.Moves);
                    }
                }

                if (changed.Count > 0)
                {
                    writer.Record(transaction, stock, etag, previous, changed, moves);
                }
            }

            // A report the SKU refuses is not processed: it is dead-lettered, and a replay must find it unrecorded.
            if (transaction.IsEmpty && results.Any(r => r.Item2.Kind == ReportOutcomeKind.Invalid))
            {
                return (results, false);
            }

            context.RecordProcessedIn(transaction);
            return (results, true);
        }, cancellationToken);

    private void Count(IReadOnlyList<(StockReported Message, ReportOutcome Outcome)> outcomes)
    {
        foreach (var (message, outcome) in outcomes)
        {
            var channel = StockIntake.ChannelName(message.Channel);
            if (outcome.Kind == ReportOutcomeKind.Applied)
            {
                metrics.Update(message.Source, channel, "applied");
                writer.CountMoves(outcome.Moves);
            }
            else
            {
                metrics.Update(message.Source, channel, "stale");
                logger.LogDebug("Stale stock report for {Sku} at {Location} from {Source}: sequence {Sequence} is not above {Last}",
                    message.Sku, message.SourceLocation, message.Source, message.SourceSequence, outcome.LastSequence);
            }
        }

        foreach (var source in outcomes.Where(o => o.Outcome.Kind == ReportOutcomeKind.Applied).Select(o => o.Message.Source).Distinct(StringComparer.Ordinal))
        {
            freshness.RecordSuccess($"stock.apply.{source}");
        }
    }
}
