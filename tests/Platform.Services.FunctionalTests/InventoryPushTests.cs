using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors;
using Platform.Inventory.Infrastructure;
using Platform.State;

namespace Platform.Services.FunctionalTests;

/// <summary>
/// The inventory service pushing to the sandbox's Magento MSI endpoints: within the input limit, through the async bulk
/// API for large rounds, coalesced per SKU, only what changed, and at once when a SKU sells out.
/// </summary>
public sealed class InventoryPushTests
{
    private const string Secret = "test-stock-secret";

    private static async Task<(ServiceHost Sandbox, ServiceHost Inventory)> StartAsync(TimeSpan window, int bulkDelayMs = 50)
    {
        var sandbox = await ServiceHost.StartAsync("sandbox", new Dictionary<string, string?>
        {
            ["Sandbox:Magento:Sources:0"] = "berlin",
            ["Sandbox:Magento:InputLimit"] = "20",
            ["Sandbox:Magento:BulkDelayMs"] = bulkDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var inventory = await ServiceHost.StartAsync("inventory", new Dictionary<string, string?>
        {
            ["Platform:Connectors:magento:BaseAddress"] = new Uri(sandbox.Endpoints.Http, "magento/").ToString(),
            ["Platform:Connectors:magento:RateLimit:PermitsPerSecond"] = "1000",
            ["Platform:Connectors:magento:RateLimit:Burst"] = "1000",
            ["Inventory:Sources:erp:WebhookSecret"] = Secret,
            ["Inventory:Locations:0:Source"] = "erp",
            ["Inventory:Locations:0:SourceLocation"] = "WH-BER",
            ["Inventory:Locations:0:Location"] = "berlin",
            ["Inventory:Thresholds:SafetyStock"] = "1",
            ["Inventory:Thresholds:LowStockLevel"] = "0",
            ["Inventory:Targets:magento:Store"] = "default",
            ["Inventory:Push:Window"] = window.ToString("c"),
            ["Inventory:Push:PollInterval"] = "00:00:00.020",
            ["Inventory:Push:BulkAbove"] = "100",
            ["Inventory:Push:BulkPollInterval"] = "00:00:00.020",
        });
        var state = inventory.App.Services.GetRequiredService<IStateStore>();
        foreach (var sku in Enumerable.Range(0, 200).Select(Sku))
        {
            await state.SetAsync(StockStore.KnownSkuKey(sku), new byte[] { 1 });
        }

        return (sandbox, inventory);
    }

    private static string Sku(int i) => $"SKU-{i:D3}";

    private static async Task SendAsync(ServiceHost inventory, string deliveryId, IEnumerable<(string Sku, decimal Quantity, long Sequence)> updates)
    {
        var body = JsonSerializer.Serialize(new { updates = updates.Select(u => new { sku = u.Sku, location = "WH-BER", type = "absolute", quantity = u.Quantity, sequence = u.Sequence }) });
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/stock/erp") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), bytes));
        request.Headers.Add("X-Platform-Webhook-Id", deliveryId);
        using var response = await inventory.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task<JsonNode> ControlAsync(ServiceHost sandbox, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("x-api-key", ServiceHost.AdminKey);
        using var response = await sandbox.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<long> CounterAsync(ServiceHost sandbox, string counter) =>
        (await ControlAsync(sandbox, "_sandbox/counters"))["counters"]?[counter]?["total"]?.GetValue<long>() ?? 0;

    private static async Task<IReadOnlyList<JsonNode>> SourceItemsAsync(ServiceHost sandbox, string? sku = null) =>
        (await ControlAsync(sandbox, "_sandbox/magento/source-items" + (sku is null ? "" : "?sku=" + sku))).AsArray().Select(n => n!).ToList();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {within}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_small_round_goes_in_calls_within_the_input_limit_and_a_large_one_through_one_bulk_call()
    {
        var (sandbox, inventory) = await StartAsync(TimeSpan.FromSeconds(2));
        await using (sandbox)
        await using (inventory)
        {
            await SendAsync(inventory, "small", Enumerable.Range(0, 30).Select(i => (Sku(i), 10m + i, 1L)));
            await WaitUntilAsync(async () => (await SourceItemsAsync(sandbox)).Count == 30, TimeSpan.FromSeconds(20));
            Assert.Equal(0, await CounterAsync(sandbox, "magento.source_items.bulk_calls"));
            Assert.InRange(await CounterAsync(sandbox, "magento.source_items.calls"), 2, 3);
            var first = Assert.Single(await SourceItemsAsync(sandbox, Sku(5)));
            // Magento subtracts its own reservations: it is told physical less safety stock.
            Assert.Equal(14m, first["quantity"]!.GetValue<decimal>());
            Assert.Equal(1, first["status"]!.GetValue<int>());

            await SendAsync(inventory, "large", Enumerable.Range(30, 150).Select(i => (Sku(i), 5m, 1L)));
            await WaitUntilAsync(async () => (await SourceItemsAsync(sandbox)).Count == 180, TimeSpan.FromSeconds(20));
            Assert.Equal(1, await CounterAsync(sandbox, "magento.source_items.bulk_calls"));

            var backlog = inventory.App.Services.GetRequiredService<StockStore>();
            await WaitUntilAsync(async () => await backlog.CountPushDueAsync(CancellationToken.None) == 0, TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public async Task Changes_within_the_window_are_one_push_and_selling_out_is_pushed_at_once()
    {
        var (sandbox, inventory) = await StartAsync(TimeSpan.FromSeconds(30));
        await using (sandbox)
        await using (inventory)
        {
            // Coalescing: five figures for one SKU inside the window reach Magento as one write of the last figure.
            await SendAsync(inventory, "burst", Enumerable.Range(1, 5).Select(i => (Sku(1), 10m + i, (long)i)));
            // The first figure of SKU-002 is zero: out of stock is a threshold, pushed without waiting for the window.
            await SendAsync(inventory, "sold-out", [(Sku(2), 0m, 1L)]);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await WaitUntilAsync(async () => (await SourceItemsAsync(sandbox, Sku(2))).Count == 1, TimeSpan.FromSeconds(10));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
            var soldOut = Assert.Single(await SourceItemsAsync(sandbox, Sku(2)));
            Assert.Equal(0, soldOut["status"]!.GetValue<int>());
            Assert.Empty(await SourceItemsAsync(sandbox, Sku(1)));

            // Sending the same figure again changes nothing and is not pushed again.
            await SendAsync(inventory, "same", [(Sku(2), 0m, 2L)]);
            await Task.Delay(300);
            Assert.Equal(1, Assert.Single(await SourceItemsAsync(sandbox, Sku(2)))["writes"]!.GetValue<long>());

            // Back in stock is a threshold too.
            await SendAsync(inventory, "restock", [(Sku(2), 7m, 3L)]);
            await WaitUntilAsync(async () => Assert.Single(await SourceItemsAsync(sandbox, Sku(2)))["status"]!.GetValue<int>() == 1, TimeSpan.FromSeconds(10));
            Assert.Equal(6m, Assert.Single(await SourceItemsAsync(sandbox, Sku(2)))["quantity"]!.GetValue<decimal>());
        }
    }

    [Fact]
    public async Task A_sell_out_does_not_wait_for_a_slow_bulk_and_the_bulk_landing_late_cannot_leave_its_older_figure()
    {
        // Magento applies this store's bulks two seconds after accepting them, as a busy consumer would.
        var (sandbox, inventory) = await StartAsync(TimeSpan.FromSeconds(2), bulkDelayMs: 2000);
        await using (sandbox)
        await using (inventory)
        {
            await SendAsync(inventory, "many", Enumerable.Range(0, 150).Select(i => (Sku(i), 9m, 1L)));
            await WaitUntilAsync(async () => await CounterAsync(sandbox, "magento.source_items.bulk_calls") == 1, TimeSpan.FromSeconds(10));

            // SKU-007 sells out while the bulk carrying its 8 units is still waiting in Magento.
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await SendAsync(inventory, "sold-out", [(Sku(7), 0m, 2L)]);
            await WaitUntilAsync(async () => (await SourceItemsAsync(sandbox, Sku(7))) is [{ } item] && item["status"]!.GetValue<int>() == 0, TimeSpan.FromSeconds(10));
            Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(1500), $"the sell-out waited for the bulk ({clock.Elapsed})");

            // The bulk then lands with the older 8; the SKU is pushed again, and Magento ends at zero.
            await WaitUntilAsync(async () => (await SourceItemsAsync(sandbox)).Count == 150, TimeSpan.FromSeconds(20));
            var backlog = inventory.App.Services.GetRequiredService<StockStore>();
            await WaitUntilAsync(async () => await backlog.CountPushDueAsync(CancellationToken.None) == 0, TimeSpan.FromSeconds(20));
            var last = Assert.Single(await SourceItemsAsync(sandbox, Sku(7)));
            Assert.Equal(0m, last["quantity"]!.GetValue<decimal>());
            Assert.Equal(0, last["status"]!.GetValue<int>());
            Assert.True(last["writes"]!.GetValue<long>() >= 3, "the SKU was not pushed again after the late bulk");
        }
    }
}
