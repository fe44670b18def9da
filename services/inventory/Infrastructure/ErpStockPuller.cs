using System.Text;
using Microsoft.Extensions.Options;
using Platform.Connectors.Erp;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.State;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// The scheduled changed-since pull of the ERP's stock change log, for the source that has <c>Pull:Enabled</c>. The cursor
/// is stored only after a page is on the ingest topic, so a crash reads the page again (the same events to the inbox)
/// and never skips one.
/// </summary>
public sealed class ErpStockPuller(
    IErpStockClient erp,
    StockIntake intake,
    IStateStore state,
    IOptionsMonitor<InventoryOptions> options,
    InventoryMetrics metrics,
    SyncFreshness freshness,
    TimeProvider time,
    ILogger<ErpStockPuller> logger) : BackgroundService
{
    public static string CursorKey(string source) => "pull-cursor:" + source;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var pulled = options.CurrentValue.Sources.Where(s => s.Value.Pull.Enabled).ToList();
            foreach (var (source, settings) in pulled)
            {
                await PullAsync(source, settings.Pull.PageSize, stoppingToken);
            }

            var interval = pulled.Count == 0 ? TimeSpan.FromSeconds(30) : pulled.Min(s => s.Value.Pull.Interval);
            await Task.Delay(interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Reads the log from the stored cursor to its end; returns how many changes went to the ingest topic.</summary>
    public async Task<int> PullAsync(string source, int pageSize, CancellationToken cancellationToken)
    {
        var flow = $"stock.pull.{source}";
        var handed = 0;
        try
        {
            var stored = await state.GetAsync(CursorKey(source), cancellationToken);
            var cursor = stored is null ? null : Encoding.UTF8.GetString(stored.Value.Span);
            await foreach (var page in erp.EnumerateStockChangesAsync(cursor, pageSize, cancellationToken))
            {
                var updates = new List<IncomingStockUpdate>(page.Changes.Count);
                foreach (var change in page.Changes)
                {
                    var errors = new List<string>();
                    var update = Api.StockUpdateJson.Validate(change.Sku, change.Location,
                        change.Type == ErpStockChangeType.Delta ? StockReportKind.Adjustment : StockReportKind.Snapshot,
                        change.Quantity, change.Sequence, change.MeasuredAt, $"pull:{change.ChangeId}", $"change {change.ChangeId}: ", errors);
                    if (update is null)
                    {
                        Refuse(source, errors[0]);
                        continue;
                    }

                    updates.Add(update);
                }

                foreach (var invalid in page.Invalid)
                {
                    Refuse(source, $"change {invalid.ChangeId ?? "(no id)"}: {invalid.Error}");
                }

                await intake.PublishAsync(source, StockChannel.Pull, updates, cancellationToken);
                handed += updates.Count;
                if (page.NextCursor is { Length: > 0 } next && next != cursor)
                {
                    await state.SetAsync(CursorKey(source), Encoding.UTF8.GetBytes(next), cancellationToken: cancellationToken);
                    cursor = next;
                }
            }

            freshness.RecordSuccess(flow);
            return handed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            freshness.RecordFailure(flow, ex.Message);
            logger.LogWarning(ex, "Stock pull of source {Source} failed after {Handed} changes; the next pass starts from the stored cursor", source, handed);
            return handed;
        }
    }

    private void Refuse(string source, string reason)
    {
        metrics.IntakeRejected(source, "pull", "malformed");
        logger.LogWarning("Stock change from the {Source} pull refused: {Reason}", source, reason);
    }
}
