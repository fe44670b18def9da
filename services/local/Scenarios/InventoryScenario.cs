using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Platform.Contracts.Catalog.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Messaging;
using Spectre.Console;

namespace Platform.Local.Scenarios;

public sealed record InventoryScenarioOptions(int Skus, int Updates, double OutOfOrder, int Orders, TimeSpan Timeout, int Rate = 0);

/// <summary>
/// Sends stock updates for many SKUs from the sandbox ERP and WMS through all three intake channels (signed webhooks,
/// CSV files, the changed-since pull), a share of them reordered or delivered twice, while storefront orders reserve
/// and some are cancelled. Waits until the last update of every SKU and location has won and the storefront holds
/// what the platform computed, then reconciles and reports.
/// </summary>
public sealed class InventoryScenario(LocalPlatform platform, InventoryScenarioOptions options)
{
    private static readonly (string Source, string Location)[] Locations = [("erp", "WH-BER"), ("erp", "WH-HAM"), ("wms", "DC-LEJ")];
    private static readonly IReadOnlyDictionary<string, string> PlatformLocation = new Dictionary<string, string>
    {
        ["WH-BER"] = "berlin",
        ["WH-HAM"] = "hamburg",
        ["DC-LEJ"] = "leipzig",
    };

    private const int Batch = 500;

    public async Task<JsonObject> RunAsync(IAnsiConsole console, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = platform.HttpBase("sandbox"), Timeout = TimeSpan.FromSeconds(120) };
        var sandbox = new SandboxControl(http, platform.ApiKey, platform.SandboxCredentials["Sandbox:Magento:AccessToken"], LocalPlatform.StoreCode);
        using var channel = GrpcChannel.ForAddress(platform.Endpoints.Single(e => e.Service.Name == Inventory.InventoryService.Name).Endpoints.Grpc);
        var inventory = new InventoryService.InventoryServiceClient(channel);
        var auth = new Metadata { { "x-api-key", platform.ApiKey } };

        var skus = Enumerable.Range(1, options.Skus).Select(i => $"INV-{i:D5}").ToList();
        var plan = Plan(skus);
        var expected = plan.GroupBy(u => (u.Sku, u.Location)).ToDictionary(g => g.Key, g => g.MaxBy(u => u.Sequence)!);
        var clock = Stopwatch.StartNew();
        var appliedAfter = TimeSpan.Zero;
        var deliveredAfter = TimeSpan.Zero;
        var converged = false;
        var orderOutcome = (Placed: 0, Cancelled: 0);
        var calls = new SandboxCounters(new JsonObject());

        await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var registering = progress.AddTask("SKUs published by the catalog", maxValue: skus.Count);
                await PublishProductsAsync(skus, registering, cancellationToken);

                var sending = progress.AddTask("stock updates sent", maxValue: plan.Count);
                var applying = progress.AddTask("SKU locations at their last update", maxValue: expected.Count);
                var ordering = progress.AddTask("orders placed and cancelled", maxValue: options.Orders);
                var started = clock.Elapsed;
                var orders = PlaceOrdersAsync(sandbox, skus, ordering, cancellationToken);
                await SendAsync(sandbox, plan, sending, cancellationToken);
                deliveredAfter = clock.Elapsed - started;
                await WaitAsync(applying, () => CountAtLastUpdateAsync(inventory, auth, expected, cancellationToken), expected.Count, cancellationToken);
                appliedAfter = clock.Elapsed - started;
                orderOutcome = await orders;

                var pushing = progress.AddTask("storefront converged", maxValue: 1);
                converged = await WaitAsync(pushing, async () => await DriftAsync(inventory, auth, cancellationToken) == 0 ? 1 : 0, 1, cancellationToken);
            });

        calls = await sandbox.CountersAsync(cancellationToken);
        var reconciliation = (await inventory.ReconcileInventoryAsync(new ReconcileInventoryRequest(), auth, DateTime.UtcNow.AddMinutes(5), cancellationToken)).Reconciliation;
        var (wrongValues, oversold) = await CheckLevelsAsync(inventory, auth, expected, cancellationToken);
        var deadLettered = await platform.App(Inventory.InventoryService.Name).Services.GetRequiredService<IDeadLetterStore>().CountAsync(cancellationToken);
        var metrics = await PlatformMetrics.ScrapeAsync(platform.HttpBase(Inventory.InventoryService.Name), cancellationToken);
        var commerceCalls = calls.Total("magento.source_items.calls") + calls.Total("magento.source_items.bulk_calls");
        return new JsonObject
        {
            ["scenario"] = "inventory",
            ["bus"] = platform.BusDescription,
            ["state"] = platform.StateDescription,
            ["skus"] = skus.Count,
            ["updates"] = plan.Count,
            ["orders"] = orderOutcome.Placed,
            ["ordersCancelled"] = orderOutcome.Cancelled,
            ["commerceCalls"] = commerceCalls,
            ["commerceCallsPer1000Updates"] = Math.Round(commerceCalls * 1000.0 / Math.Max(plan.Count, 1), 1),
            ["itemsPushed"] = calls.Total("magento.source_items.items"),
            ["converged"] = converged && reconciliation.Mismatches == 0 && wrongValues == 0,
            ["mismatches"] = reconciliation.Mismatches + wrongValues,
            ["oversold"] = oversold,
            ["backorderedLines"] = metrics.Counter("platform_inventory_backordered_total", null),
            ["stale"] = metrics.Counter("platform_inventory_updates_total", "outcome=\"stale\""),
            ["applied"] = metrics.Counter("platform_inventory_updates_total", "outcome=\"applied\""),
            ["deadLettered"] = deadLettered,
            ["updatesPerSecond"] = Math.Round(plan.Count / Math.Max(appliedAfter.TotalSeconds, 0.001), 0),
            ["deliveredAfterSeconds"] = Math.Round(deliveredAfter.TotalSeconds, 1),
            ["appliedAfterSeconds"] = Math.Round(appliedAfter.TotalSeconds, 1),
            ["p99PushLatencyMs"] = PlatformMetrics.Milliseconds(metrics.Quantile("platform_inventory_push_latency_seconds", 0.99, null)),
            ["p99ThresholdPushLatencyMs"] = PlatformMetrics.Milliseconds(metrics.Quantile("platform_inventory_push_latency_seconds", 0.99, "kind=\"threshold\"")),
            ["p99OrdinaryPushLatencyMs"] = PlatformMetrics.Milliseconds(metrics.Quantile("platform_inventory_push_latency_seconds", 0.99, "kind=\"ordinary\"")),
            ["p50ThresholdPushLatencyMs"] = PlatformMetrics.Milliseconds(metrics.Quantile("platform_inventory_push_latency_seconds", 0.5, "kind=\"threshold\"")),
            ["thresholdPushes"] = metrics.Counter("platform_inventory_push_latency_seconds_count", "kind=\"threshold\""),
            ["seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
    }

    private sealed record PlannedUpdate(string Source, string Sku, string Location, int Quantity, long Sequence, string Channel);

    // Absolute levels with increasing sequences per SKU and location; every tenth level is zero so sold-out and
    // back-in-stock crossings happen all the time. Each source location is fed by one channel mix: the ERP's Berlin
    // warehouse by webhook and CSV, Hamburg by the pull, the WMS by webhook.
    private List<PlannedUpdate> Plan(List<string> skus)
    {
        var random = new Random(20261122);
        var sequences = new Dictionary<(string, string), long>();
        var plan = new List<PlannedUpdate>(options.Updates);
        for (var i = 0; i < options.Updates; i++)
        {
            var sku = skus[random.Next(skus.Count)];
            var (source, location) = Locations[random.Next(Locations.Length)];
            var sequence = sequences[(sku, location)] = sequences.GetValueOrDefault((sku, location)) + 1;
            var quantity = random.Next(10) == 0 ? 0 : random.Next(1, 60);
            var channel = location switch
            {
                "WH-HAM" => "pull",
                "WH-BER" when random.Next(4) == 0 => "csv",
                _ => "webhook",
            };
            plan.Add(new PlannedUpdate(source, sku, location, quantity, sequence, channel));
        }

        return plan;
    }

    private async Task PublishProductsAsync(List<string> skus, ProgressTask task, CancellationToken cancellationToken)
    {
        // The catalog service is the one that announces products; the scenario speaks through its publisher.
        var publisher = platform.App(Catalog.CatalogService.Name).Services.GetRequiredService<IEventPublisher>();
        foreach (var chunk in skus.Chunk(200))
        {
            await Task.WhenAll(chunk.Select(sku => publisher.PublishAsync(Platform.Contracts.Topics.CatalogProducts, sku, new ProductUpserted
            {
                Sku = sku,
                Version = 1,
                OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            }, cancellationToken)));
        }

        var store = platform.App(Inventory.InventoryService.Name).Services.GetRequiredService<Inventory.Infrastructure.StockStore>();
        await WaitAsync(task, async () =>
        {
            var known = await store.State.GetManyAsync(skus.Select(Inventory.Infrastructure.StockStore.KnownSkuKey).ToList(), cancellationToken);
            return known.Count;
        }, skus.Count, cancellationToken);
    }

    private async Task SendAsync(SandboxControl sandbox, List<PlannedUpdate> plan, ProgressTask task, CancellationToken cancellationToken)
    {
        var deliveries = new List<(string Source, string Id)>();
        var groups = plan.GroupBy(u => (u.Source, u.Channel)).ToList();
        // As fast as the feed goes: big chunks, one channel after the other. Paced: small chunks, the channels taking
        // turns, so every source feeds at the same steady rate and the platform is measured below its limit.
        var chunks = options.Rate > 0
            ? groups.SelectMany(g => g.Chunk(Math.Clamp(options.Rate / 20, 10, Batch)).Select((chunk, i) => (Turn: i, g.Key, Chunk: chunk))).OrderBy(c => c.Turn).Select(c => (c.Key, c.Chunk)).ToList()
            : groups.SelectMany(g => g.Chunk(options.Updates >= 20_000 ? 5000 : Batch).Select(chunk => (g.Key, Chunk: chunk))).ToList();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        foreach (var ((source, channel), chunk) in chunks)
        {
            if (options.Rate > 0 && TimeSpan.FromSeconds(sent / (double)options.Rate) - clock.Elapsed is { } wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }

            var updates = new JsonArray(chunk.Select(u => (JsonNode)new JsonObject
            {
                ["sku"] = u.Sku,
                ["location"] = u.Location,
                ["type"] = "absolute",
                ["quantity"] = u.Quantity,
                ["sequence"] = u.Sequence,
                ["measuredAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            }).ToArray());
            var id = await sandbox.SendStockAsync(source, new JsonObject
            {
                ["channel"] = channel,
                ["updates"] = updates,
                ["batchSize"] = Batch,
                ["outOfOrder"] = options.OutOfOrder,
                ["duplicates"] = options.OutOfOrder / 2,
                ["seed"] = deliveries.Count + 1,
            }, cancellationToken);
            if (id is not null)
            {
                deliveries.Add((source, id));
            }

            sent += chunk.Length;
            task.Increment(chunk.Length);
        }

        foreach (var (source, id) in deliveries)
        {
            await sandbox.WaitForStockDeliveryAsync(source, id, options.Timeout, cancellationToken);
        }
    }

    private async Task<(int Placed, int Cancelled)> PlaceOrdersAsync(SandboxControl sandbox, List<string> skus, ProgressTask task, CancellationToken cancellationToken)
    {
        if (options.Orders == 0)
        {
            return (0, 0);
        }

        var random = new Random(7);
        var placed = 0;
        var cancelled = 0;
        using var gate = new SemaphoreSlim(8);
        var work = Enumerable.Range(0, options.Orders).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                int skuIndex, quantity;
                lock (random)
                {
                    skuIndex = random.Next(skus.Count);
                    quantity = random.Next(1, 3);
                }

                var entityId = await sandbox.CreateOrderAsync(new JsonObject
                {
                    ["items"] = new JsonArray(new JsonObject { ["sku"] = skus[skuIndex], ["qty"] = quantity, ["price"] = 10, ["product_type"] = "simple" }),
                }, cancellationToken);
                Interlocked.Increment(ref placed);
                if (i % 3 == 0)
                {
                    await sandbox.ChangeOrderAsync(entityId, "cancel", null, cancellationToken);
                    Interlocked.Increment(ref cancelled);
                }
            }
            finally
            {
                gate.Release();
                task.Increment(1);
            }
        });
        await Task.WhenAll(work);
        return (placed, cancelled);
    }

    private static async Task<int> CountAtLastUpdateAsync(InventoryService.InventoryServiceClient inventory, Metadata auth,
        Dictionary<(string Sku, string Location), PlannedUpdate> expected, CancellationToken cancellationToken)
    {
        var atLast = 0;
        foreach (var chunk in expected.Keys.Select(k => k.Sku).Distinct().Chunk(500))
        {
            var reply = await inventory.GetAvailabilityAsync(new GetAvailabilityRequest { Skus = { chunk } }, auth, DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
            foreach (var availability in reply.Availability)
            {
                foreach (var (source, location) in Locations)
                {
                    if (expected.TryGetValue((availability.Sku, location), out var last)
                        && availability.Locations.FirstOrDefault(l => l.LocationCode == PlatformLocation[location]) is { } level
                        && level.SourceSequence == last.Sequence && level.Source == source)
                    {
                        atLast++;
                    }
                }
            }
        }

        return atLast;
    }

    // Every SKU and location ends at its highest sequence; where the source reports physical stock the figure itself
    // must be that update's. No location may hold more reserved than it has above safety stock.
    private static async Task<(long Wrong, long Oversold)> CheckLevelsAsync(InventoryService.InventoryServiceClient inventory, Metadata auth,
        Dictionary<(string Sku, string Location), PlannedUpdate> expected, CancellationToken cancellationToken)
    {
        long wrong = 0, oversold = 0;
        foreach (var chunk in expected.Keys.Select(k => k.Sku).Distinct().Chunk(500))
        {
            var reply = await inventory.GetAvailabilityAsync(new GetAvailabilityRequest { Skus = { chunk } }, auth, DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
            foreach (var availability in reply.Availability)
            {
                foreach (var (source, location) in Locations)
                {
                    if (!expected.TryGetValue((availability.Sku, location), out var last))
                    {
                        continue;
                    }

                    var level = availability.Locations.FirstOrDefault(l => l.LocationCode == PlatformLocation[location]);
                    if (level is null || level.SourceSequence != last.Sequence || (source == "erp" && level.OnHand.ToDecimal() != last.Quantity))
                    {
                        wrong++;
                        continue;
                    }

                    var excess = level.Reserved.ToDecimal() - Math.Max(0, level.OnHand.ToDecimal() - level.SafetyStock.ToDecimal());
                    if (excess > 0 || level.Salable.ToDecimal() < 0)
                    {
                        oversold++;
                    }
                }
            }
        }

        return (wrong, oversold);
    }

    private static async Task<long> DriftAsync(InventoryService.InventoryServiceClient inventory, Metadata auth, CancellationToken cancellationToken)
    {
        var reply = await inventory.ReconcileInventoryAsync(new ReconcileInventoryRequest(), auth, DateTime.UtcNow.AddMinutes(5), cancellationToken: cancellationToken);
        return reply.Reconciliation.Mismatches + reply.Reconciliation.PendingPushes;
    }

    private async Task<bool> WaitAsync(ProgressTask task, Func<Task<int>> observe, int target, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var value = 0;
        while (deadline.Elapsed < options.Timeout)
        {
            value = await observe();
            task.Value = Math.Min(value, target);
            if (value >= target)
            {
                return true;
            }

            await Task.Delay(250, cancellationToken);
        }

        return false;
    }
}
