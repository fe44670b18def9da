using System.Net;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;
using Platform.Messaging.Kafka;
using Platform.State;
using Platform.Testing;
using OrderV1 = Platform.Contracts.Order.V1;

namespace Platform.Services.FunctionalTests;

/// <summary>
/// Orders racing for the last units, on the real Kafka protocol (librdkafka's mock cluster, orders spread over
/// partitions and handled in parallel) and a real Redis: the SKU's ETag makes every reservation see the others, so
/// salable never goes below the safety stock and the demand that cannot be covered is backordered, not oversold.
/// </summary>
public sealed class InventoryReservationRaceTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const string Secret = "test-stock-secret";

    [Fact]
    public async Task Forty_orders_racing_for_ten_units_with_safety_stock_two_reserve_exactly_eight()
    {
        using var cluster = new KafkaMockCluster();
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        foreach (var topic in new[] { StockIntake.Topic, Platform.Contracts.Topics.OrderOrders, Platform.Contracts.Topics.CatalogProducts, Platform.Contracts.Topics.InventoryStock, "inventory.retry" })
        {
            cluster.CreateTopicNamed(topic, 8);
        }

        await using var host = await ServiceHost.StartAsync("inventory", new Dictionary<string, string?>
        {
            ["Platform:Bus:Provider"] = "Kafka",
            ["Platform:Bus:Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Platform:Bus:Kafka:ConsumerSettings:topic.metadata.refresh.interval.ms"] = "500",
            ["Platform:State:Provider"] = "Redis",
            ["Platform:State:Redis:ConnectionString"] = redis.ConnectionString,
            ["Platform:State:Redis:StoreName"] = RedisServerFixture.NewStoreName("inventory"),
            ["Inventory:Sources:erp:WebhookSecret"] = Secret,
            ["Inventory:Locations:0:Source"] = "erp",
            ["Inventory:Locations:0:SourceLocation"] = "WH-BER",
            ["Inventory:Locations:0:Location"] = "berlin",
            ["Inventory:Thresholds:SafetyStock"] = "2",
        });
        var state = host.App.Services.GetRequiredService<IStateStore>();
        await state.SetAsync(StockStore.KnownSkuKey("SKU-HOT"), new byte[] { 1 });

        var body = """{"updates":[{"sku":"SKU-HOT","location":"WH-BER","type":"absolute","quantity":10,"sequence":1}]}""";
        using (var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/stock/erp") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add(WebhookSignature.HeaderName, WebhookSignature.CreateHeader(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(body)));
            request.Headers.Add("X-Platform-Webhook-Id", "stock-1");
            using var response = await host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var client = new InventoryService.InventoryServiceClient(host.Channel);
        await WaitUntilAsync(async () => (await Level(client)) is { OnHand: not null } level && level.OnHand.ToDecimal() == 10);

        var publisher = host.App.Services.GetRequiredService<IEventPublisher>();
        await Task.WhenAll(Enumerable.Range(1, 40).Select(i => publisher.PublishAsync(Platform.Contracts.Topics.OrderOrders, $"default-{i:D9}", new OrderV1.OrderPlaced
        {
            OrderId = $"default-{i:D9}",
            Version = 1,
            OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Order = new OrderV1.Order
            {
                OrderId = $"default-{i:D9}",
                Lines = { new OrderV1.OrderLine { LineId = "1", Sku = "SKU-HOT", QuantityOrdered = DecimalValue.FromDecimal(1) } },
            },
        })));

        var store = host.App.Services.GetRequiredService<StockStore>();
        await WaitUntilAsync(async () => (await store.LoadAsync("SKU-HOT", CancellationToken.None)).Stock.Reservations.Count == 40);
        var (stock, _) = await store.LoadAsync("SKU-HOT", CancellationToken.None);
        Assert.Equal(8m, stock.Reserved("berlin"));
        Assert.Equal(32m, stock.Backordered);
        Assert.Equal(8, stock.Reservations.Values.Count(r => r.Open == 1));

        var final = await Level(client);
        Assert.Equal(8m, final!.Reserved.ToDecimal());
        Assert.Equal(0m, final.Salable.ToDecimal());
        Assert.Equal(StockStatus.OutOfStock, final.Status);
    }

    private static async Task<StockLevel?> Level(InventoryService.InventoryServiceClient client)
    {
        try
        {
            return (await client.GetStockLevelAsync(new GetStockLevelRequest { Sku = "SKU-HOT", LocationCode = "berlin" }, ServiceHost.WithKey(ServiceHost.ReaderKey))).StockLevel;
        }
        catch (Grpc.Core.RpcException ex) when (ex.StatusCode == Grpc.Core.StatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the inventory service did not settle within 60 s");
            await Task.Delay(50);
        }
    }
}
