using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors;
using Platform.Contracts.Inventory.V1;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;
using Platform.State;

namespace Platform.Services.FunctionalTests;

/// <summary>The inventory service's stock webhook, from the signed request to the stock level and the dead letters.</summary>
public sealed class InventoryIntakeTests
{
    private const string Secret = "test-stock-secret";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Inventory:Sources:erp:Reports"] = "Physical",
        ["Inventory:Sources:erp:WebhookSecret"] = Secret,
        ["Inventory:Locations:0:Source"] = "erp",
        ["Inventory:Locations:0:SourceLocation"] = "WH-BER",
        ["Inventory:Locations:0:Location"] = "berlin",
        ["Inventory:Thresholds:SafetyStock"] = "2",
    };

    private static HttpRequestMessage Webhook(string source, string body, string? signature = null, string deliveryId = "delivery-1")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, $"webhooks/stock/{source}") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, signature ?? WebhookSignature.CreateHeader(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), bytes));
        request.Headers.Add("X-Platform-Webhook-Id", deliveryId);
        return request;
    }

    private static string Updates(params (string Sku, string Location, string Type, decimal Quantity, long Sequence)[] updates) =>
        JsonSerializer.Serialize(new
        {
            source = "erp",
            updates = updates.Select(u => new { sku = u.Sku, location = u.Location, type = u.Type, quantity = u.Quantity, sequence = u.Sequence }),
        });

    private static async Task<ServiceHost> StartAsync(params string[] knownSkus)
    {
        var host = await ServiceHost.StartAsync("inventory", Settings);
        var state = host.App.Services.GetRequiredService<IStateStore>();
        foreach (var sku in knownSkus)
        {
            await state.SetAsync(StockStore.KnownSkuKey(sku), new byte[] { 1 });
        }

        return host;
    }

    private static async Task<StockLevel> WaitForLevelAsync(ServiceHost host, string sku, string location, long sequence)
    {
        var client = new InventoryService.InventoryServiceClient(host.Channel);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var level = (await client.GetStockLevelAsync(new GetStockLevelRequest { Sku = sku, LocationCode = location }, ServiceHost.WithKey(ServiceHost.ReaderKey))).StockLevel;
                if (level.SourceSequence >= sequence || attempt > 200)
                {
                    return level;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && attempt < 200)
            {
            }

            await Task.Delay(25);
        }
    }

    [Fact]
    public async Task A_signed_batch_becomes_stock_levels_and_an_older_update_never_wins()
    {
        await using var host = await StartAsync("SKU-1");

        using (var response = await host.Http.SendAsync(Webhook("erp", Updates(("SKU-1", "WH-BER", "absolute", 10, 5)))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var level = await WaitForLevelAsync(host, "SKU-1", "berlin", 5);
        Assert.Equal(10m, level.OnHand.ToDecimal());
        Assert.Equal(8m, level.Salable.ToDecimal());
        Assert.Equal(2m, level.SafetyStock.ToDecimal());

        // Sequence 4 arrives late, then 6: only 6 may change the level.
        using (var late = await host.Http.SendAsync(Webhook("erp", Updates(("SKU-1", "WH-BER", "absolute", 99, 4)), deliveryId: "delivery-2")))
        {
            Assert.Equal(HttpStatusCode.Accepted, late.StatusCode);
        }

        using (var newer = await host.Http.SendAsync(Webhook("erp", Updates(("SKU-1", "WH-BER", "delta", -3, 6)), deliveryId: "delivery-3")))
        {
            Assert.Equal(HttpStatusCode.Accepted, newer.StatusCode);
        }

        level = await WaitForLevelAsync(host, "SKU-1", "berlin", 6);
        Assert.Equal(6, level.SourceSequence);
        Assert.Equal(7m, level.OnHand.ToDecimal());
        var metrics = await host.Http.GetStringAsync("metrics");
        Assert.Contains("platform_inventory_updates_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"stale\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_signatures_unknown_sources_and_malformed_updates_are_refused_with_a_reason()
    {
        await using var host = await StartAsync("SKU-1");
        var body = Updates(("SKU-1", "WH-BER", "absolute", 10, 1));

        using var forged = await host.Http.SendAsync(Webhook("erp", body, signature: WebhookSignature.CreateHeader("wrong-secret", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(body))));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("signature does not match", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var unknown = await host.Http.SendAsync(Webhook("pos", body));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        using var malformed = await host.Http.SendAsync(Webhook("erp", """{"updates":[{"sku":"SKU-1","location":"WH-BER","type":"absolute","quantity":1,"sequence":1},{"sku":"SKU-1","location":"WH-BER","type":"absolute","quantity":"ten","sequence":2}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("updates[1].quantity must be a number", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var negative = await host.Http.SendAsync(Webhook("erp", Updates(("SKU-1", "WH-BER", "absolute", -1, 3))));
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);

        using var notJson = await host.Http.SendAsync(Webhook("erp", "{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Fact]
    public async Task An_unknown_SKU_or_location_is_dead_lettered_with_the_reason_and_the_next_update_still_applies()
    {
        await using var host = await StartAsync("SKU-1");

        using (var response = await host.Http.SendAsync(Webhook("erp", Updates(
                   ("SKU-404", "WH-BER", "absolute", 5, 1),
                   ("SKU-1", "WH-XXX", "absolute", 5, 1),
                   ("SKU-1", "WH-BER", "absolute", 12, 1)))))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var level = await WaitForLevelAsync(host, "SKU-1", "berlin", 1);
        Assert.Equal(12m, level.OnHand.ToDecimal());

        var deadLetters = host.App.Services.GetRequiredService<IDeadLetterStore>();
        IReadOnlyList<string> reasons = [];
        for (var attempt = 0; attempt < 200 && reasons.Count < 2; attempt++)
        {
            var page = await deadLetters.ListAsync(new Platform.Messaging.DeadLetterFilter());
            reasons = page.Select(letter => letter.Reason).ToList();
            await Task.Delay(25);
        }

        Assert.Contains(reasons, r => r.Contains("unknown SKU 'SKU-404'", StringComparison.Ordinal));
        Assert.Contains(reasons, r => r.Contains("unknown location 'WH-XXX'", StringComparison.Ordinal));
    }
}
