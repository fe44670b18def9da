using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Contracts.Order.V1;
using Platform.Messaging;
using Spectre.Console;

namespace Platform.Local.Scenarios;

public sealed record OrdersScenarioOptions(int Orders, double ErpErrorRate, double DuplicateWebhooks, TimeSpan Timeout, int Rate = 0, int Warmup = 0);

/// <summary>
/// Places orders in the sandbox storefront, lets its webhooks (with duplicates) reach the order service while the
/// ERP fails at the given rate, then cancels, refunds and part-ships some of them, waits until everything settles,
/// reconciles, and reports whether any order was lost or sent twice.
/// </summary>
public sealed class OrdersScenario(LocalPlatform platform, OrdersScenarioOptions options)
{
    public async Task<JsonObject> RunAsync(IAnsiConsole console, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = platform.HttpBase("sandbox"), Timeout = TimeSpan.FromSeconds(60) };
        var sandbox = new SandboxControl(http, platform.ApiKey, platform.SandboxCredentials["Sandbox:Magento:AccessToken"], LocalPlatform.StoreCode);
        await sandbox.SetFaultsAsync("erp", new JsonObject { ["errorRate"] = options.ErpErrorRate, ["errorStatus"] = 503 }, cancellationToken);
        await sandbox.ConfigureWebhooksAsync(new JsonObject
        {
            ["url"] = new Uri(platform.HttpBase("order"), $"webhooks/magento/{LocalPlatform.StoreCode}/orders").ToString(),
            ["duplicateRate"] = options.DuplicateWebhooks,
        }, cancellationToken);

        var window = DateTimeOffset.UtcNow.AddSeconds(-2);
        var clock = Stopwatch.StartNew();
        List<(long EntityId, string IncrementId)> orders = [];
        var exportedAfter = TimeSpan.Zero;
        var placedAfter = TimeSpan.Zero;
        var lifecycle = new LifecycleCounts();
        var beforeMeasuring = new PlatformMetrics(string.Empty);
        var total = Stopwatch.StartNew();
        async Task<int> InTheErpAsync() => (await sandbox.CountersAsync(cancellationToken, "erp.orders.created")).Items("erp.orders.created").Count;
        await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                if (options.Warmup > 0)
                {
                    // Orders that only bring the platform up to speed (code compiled, connections open, caches filled);
                    // they are checked like the others but left out of the speed figures.
                    await PlaceAsync(sandbox, orders, options.Warmup, progress.AddTask("warm-up orders", maxValue: options.Warmup), cancellationToken);
                    await WaitAsync(progress.AddTask("warm-up orders in the ERP", maxValue: options.Warmup), InTheErpAsync, options.Warmup, cancellationToken);
                    beforeMeasuring = await PlatformMetrics.ScrapeAsync(platform.HttpBase(Order.OrderService.Name), cancellationToken);
                    clock.Restart();
                }

                var measured = orders.Count;
                await PlaceAsync(sandbox, orders, options.Orders, progress.AddTask("placing orders", maxValue: options.Orders), cancellationToken);
                placedAfter = clock.Elapsed;

                await WaitAsync(progress.AddTask("orders in the ERP", maxValue: options.Orders), async () => await InTheErpAsync() - measured, options.Orders, cancellationToken);
                exportedAfter = clock.Elapsed;

                var changing = progress.AddTask("cancel, refund, part-ship", maxValue: orders.Count / 10 * 3);
                lifecycle = await ChangeSomeAsync(sandbox, orders, changing, cancellationToken);
                var settling = progress.AddTask("ERP documents settled", maxValue: lifecycle.Cancelled + lifecycle.Refunded);
                await WaitAsync(settling, async () =>
                {
                    var counters = await sandbox.CountersAsync(cancellationToken, "erp.cancellations", "erp.credit_notes");
                    return counters.Items("erp.cancellations").Count + counters.Items("erp.credit_notes").Count;
                }, lifecycle.Cancelled + lifecycle.Refunded, cancellationToken);
            });

        var final = await sandbox.CountersAsync(cancellationToken);
        var created = final.Items("erp.orders.created");
        var expected = orders.Select(o => $"{LocalPlatform.StoreCode}-{o.IncrementId}").ToHashSet(StringComparer.Ordinal);
        var reconciliation = await ReconcileAsync(window, DateTimeOffset.UtcNow.AddSeconds(2), cancellationToken);
        var deadLettered = await platform.App(Order.OrderService.Name).Services.GetRequiredService<IDeadLetterStore>().CountAsync(cancellationToken);
        var metrics = (await PlatformMetrics.ScrapeAsync(platform.HttpBase(Order.OrderService.Name), cancellationToken)).Since(beforeMeasuring);
        var p99 = metrics.Quantile("platform_order_ingest_to_export_duration_seconds", 0.99, null);
        return new JsonObject
        {
            ["scenario"] = "orders",
            ["bus"] = platform.BusDescription,
            ["state"] = platform.StateDescription,
            ["orders"] = orders.Count,
            ["exported"] = expected.Count(created.ContainsKey),
            ["erpDuplicates"] = created.Values.Sum(count => Math.Max(0, count - 1)),
            ["lost"] = expected.Count(id => !created.ContainsKey(id)),
            ["deadLettered"] = deadLettered,
            ["reconciliationMismatches"] = reconciliation,
            ["cancelled"] = lifecycle.Cancelled,
            ["refunded"] = lifecycle.Refunded,
            ["partiallyShipped"] = lifecycle.PartiallyShipped,
            ["webhooksDuplicated"] = final.Total("magento.webhooks.duplicated"),
            ["erpCallsRefusedAsDuplicates"] = final.Total("erp.orders.duplicates_refused"),
            ["warmupOrders"] = options.Warmup,
            ["placedPerSecond"] = Math.Round(options.Orders / Math.Max(placedAfter.TotalSeconds, 0.001), 1),
            ["ordersPerSecond"] = Math.Round(options.Orders / Math.Max(exportedAfter.TotalSeconds, 0.001), 1),
            ["p50LatencyMs"] = PlatformMetrics.Milliseconds(metrics.Quantile("platform_order_ingest_to_export_duration_seconds", 0.5, null)),
            ["p99LatencyMs"] = PlatformMetrics.Milliseconds(p99),
            // Where an order's time goes, p99 of each step: ingest handling and ERP export (each until its effect is durable).
            ["ingestHandlerP99Ms"] = PlatformMetrics.Milliseconds(metrics.Quantile("platform_messaging_handler_duration_seconds", 0.99, "topic=\"order.ingest.v1\"")),
            ["exportHandlerP99Ms"] = PlatformMetrics.Milliseconds(metrics.Quantile("platform_messaging_handler_duration_seconds", 0.99, "group=\"order\"", "topic=\"order.orders.v1\"")),
            ["seconds"] = Math.Round(total.Elapsed.TotalSeconds, 1),
        };
    }

    /// <summary>Places <paramref name="count"/> more orders, at the scenario's rate when it has one.</summary>
    private async Task PlaceAsync(SandboxControl sandbox, List<(long EntityId, string IncrementId)> orders, int count, ProgressTask task, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var placed = 0; placed < count;)
        {
            // At a steady rate the storefront places a small batch every few milliseconds, so the platform is measured
            // below its limit instead of queueing a burst.
            var batch = Math.Min(options.Rate > 0 ? Math.Clamp(options.Rate / 50, 1, 500) : 500, count - placed);
            if (options.Rate > 0 && TimeSpan.FromSeconds(placed / (double)options.Rate) - clock.Elapsed is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            orders.AddRange(await sandbox.GenerateOrdersAsync(batch, cancellationToken));
            placed += batch;
            task.Value = placed;
        }
    }

    private sealed record LifecycleCounts(int Cancelled = 0, int Refunded = 0, int PartiallyShipped = 0);

    private static async Task<LifecycleCounts> ChangeSomeAsync(SandboxControl sandbox, List<(long EntityId, string IncrementId)> orders, ProgressTask task, CancellationToken cancellationToken)
    {
        int cancelled = 0, refunded = 0, partiallyShipped = 0;
        for (var i = 0; i < orders.Count; i++)
        {
            var entityId = orders[i].EntityId;
            try
            {
                switch (i % 10)
                {
                    case 1:
                        await sandbox.ChangeOrderAsync(entityId, "cancel", null, cancellationToken);
                        cancelled++;
                        break;
                    case 2:
                        await sandbox.ChangeOrderAsync(entityId, "invoice", null, cancellationToken);
                        await sandbox.ChangeOrderAsync(entityId, "refund", null, cancellationToken);
                        refunded++;
                        break;
                    case 3:
                        var order = await sandbox.GetOrderAsync(entityId, cancellationToken);
                        var first = order["items"]!.AsArray().First(item => item!["parent_item_id"] is null)!;
                        await sandbox.ChangeOrderAsync(entityId, "ship", new JsonObject
                        {
                            ["items"] = new JsonArray(new JsonObject { ["order_item_id"] = first["item_id"]!.GetValue<long>(), ["qty"] = 1 }),
                        }, cancellationToken);
                        partiallyShipped++;
                        break;
                    default:
                        continue;
                }
            }
            catch (SandboxRefusedException ex) when (ex.Status is 400 or 409)
            {
                // The storefront refused the change for this order (Magento's own rules); it stays as it was.
            }

            task.Increment(1);
        }

        return new LifecycleCounts(cancelled, refunded, partiallyShipped);
    }

    private async Task WaitAsync(ProgressTask task, Func<Task<int>> observe, int target, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var value = 0;
        while (value < target && deadline.Elapsed < options.Timeout)
        {
            value = await observe();
            task.Value = Math.Min(value, target);
            await Task.Delay(200, cancellationToken);
        }

        task.Value = task.MaxValue;
    }

    private async Task<long> ReconcileAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var endpoints = platform.Endpoints.Single(e => e.Service.Name == Order.OrderService.Name).Endpoints;
        using var channel = GrpcChannel.ForAddress(endpoints.Grpc);
        var client = new OrderService.OrderServiceClient(channel);
        var reply = await client.ReconcileOrdersAsync(
            new ReconcileOrdersRequest { From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to) },
            new Metadata { { "x-api-key", platform.ApiKey } }, DateTime.UtcNow.AddMinutes(2), cancellationToken);
        return reply.Reconciliation.Mismatches;
    }

}
