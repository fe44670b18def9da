using Microsoft.Extensions.Hosting;

namespace Platform.Order.Infrastructure;

/// <summary>Keeps the backlog gauges current: the "orders not exported" alert reads them.</summary>
public sealed class ExportBacklogMonitor(OrderStore orders, OrderMetrics metrics, TimeProvider time, ILogger<ExportBacklogMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var oldest = await orders.OldestAwaitingExportAsync(stoppingToken);
                var count = await orders.CountAwaitingExportAsync(stoppingToken);
                metrics.Backlog(count, oldest is null ? TimeSpan.Zero : time.GetUtcNow() - oldest.Value);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Could not read the export backlog");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
