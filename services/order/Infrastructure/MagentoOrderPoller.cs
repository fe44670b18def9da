using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Platform.Connectors.Magento;
using Platform.Contracts.Order.V1;
using Platform.Hosting.Runtime;
using Platform.State;

namespace Platform.Order.Infrastructure;

/// <summary>
/// The safety net under the webhooks: every interval, each store's orders updated since a durable cursor go through
/// the same ingest topic as webhooks. An order the webhook already brought is "unchanged" to the decider.
/// </summary>
public sealed class MagentoOrderPoller(
    IMagentoClient magento,
    IngestPublisher ingest,
    IStateStore state,
    IOptionsMonitor<OrderOptions> options,
    SyncFreshness freshness,
    TimeProvider time,
    ILogger<MagentoOrderPoller> logger) : BackgroundService
{
    public static string CursorKey(string store) => "poll-cursor:" + store;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            if (settings.PollEnabled)
            {
                foreach (var store in settings.Stores)
                {
                    await PollStoreAsync(store, settings, stoppingToken);
                }
            }

            await Task.Delay(settings.PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One pass over one store; returns how many orders were handed to ingest.</summary>
    public async Task<int> PollStoreAsync(string store, OrderOptions settings, CancellationToken cancellationToken)
    {
        var flow = $"orders.poll.{store}";
        try
        {
            var cursorItem = await state.GetAsync(CursorKey(store), cancellationToken);
            var cursor = cursorItem is null
                ? time.GetUtcNow() - TimeSpan.FromDays(1)
                : DateTimeOffset.Parse(Encoding.UTF8.GetString(cursorItem.Value.Span), CultureInfo.InvariantCulture);
            var newest = cursor;
            var handed = 0;
            await foreach (var page in magento.EnumerateOrdersUpdatedSinceAsync(store, cursor - settings.PollOverlap, settings.PollPageSize, cancellationToken))
            {
                foreach (var invalid in page.Invalid)
                {
                    logger.LogWarning("Store {Store}: order {OrderNumber} from the changed-since poll is malformed: {Error}", store, invalid.IncrementId, invalid.Error);
                }

                foreach (var order in page.Orders)
                {
                    // The document goes on as Magento sent it, exactly as a webhook carries it: both paths meet in one handler.
                    await ingest.PublishAsync(store, order.IncrementId, IngestSource.Poll, order.Document, $"poll:{order.EntityId}:{order.UpdatedAt.ToUnixTimeSeconds()}", cancellationToken);
                    newest = order.UpdatedAt > newest ? order.UpdatedAt : newest;
                    handed++;
                }
            }

            await state.SetAsync(CursorKey(store), Encoding.UTF8.GetBytes(newest.ToString("O", CultureInfo.InvariantCulture)), cancellationToken: cancellationToken);
            freshness.RecordSuccess(flow);
            return handed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            freshness.RecordFailure(flow, ex.Message);
            logger.LogWarning(ex, "Changed-since poll of store {Store} failed; the next pass starts from the same cursor", store);
            return 0;
        }
    }
}
