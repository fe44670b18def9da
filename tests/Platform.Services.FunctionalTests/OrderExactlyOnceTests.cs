using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Platform.Connectors.Erp;
using Platform.Connectors.Magento;
using Platform.Messaging;
using Platform.Messaging.Kafka;
using Platform.Testing;
using OrderV1 = Platform.Contracts.Order.V1;

namespace Platform.Services.FunctionalTests;

/// <summary>
/// The most expensive failure: an order sent to the ERP twice. The order service is killed after the ERP accepted an
/// order and before the consumer committed the event's offset; the restarted service sees the event again and must
/// leave the ERP holding the order once. Real Kafka protocol (librdkafka's mock cluster) and a real Redis.
/// </summary>
public sealed class OrderExactlyOnceTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const string WebhookSecret = "test-webhook-secret";

    [Fact]
    public async Task A_crash_between_the_ERP_accepting_an_order_and_the_offset_commit_leaves_the_order_in_the_ERP_once()
    {
        using var cluster = new KafkaMockCluster();
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        await using var sandbox = await ServiceHost.StartAsync("sandbox");
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Bus:Provider"] = "Kafka",
            ["Platform:Bus:Kafka:BootstrapServers"] = cluster.BootstrapServers,
            // The mock assigns partitions only after session.timeout.ms when a member rejoins; keep restarts quick.
            ["Platform:Bus:Kafka:ConsumerSettings:session.timeout.ms"] = "2000",
            ["Platform:Bus:Kafka:ConsumerSettings:heartbeat.interval.ms"] = "200",
            ["Platform:Bus:Kafka:ConsumerSettings:topic.metadata.refresh.interval.ms"] = "500",
            ["Platform:State:Provider"] = "Redis",
            ["Platform:State:Redis:ConnectionString"] = redis.ConnectionString,
            ["Platform:State:Redis:StoreName"] = RedisServerFixture.NewStoreName("order"),
            ["Platform:Connectors:erp:BaseAddress"] = new Uri(sandbox.Endpoints.Http, "erp/").ToString(),
        };
        foreach (var topic in new[] { "order.ingest.v1", "order.orders.v1", "order.retry" })
        {
            cluster.CreateTopicNamed(topic, 4);
        }

        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = await ServiceHost.StartAsync("order", settings, afterRegistration: services => services.Decorate(erp => new CrashAfterAcceptance(erp, accepted)));
        using (var response = await first.Http.SendAsync(SignedWebhook("000000777")))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await accepted.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // The crash: the consumer dies with the export's event uncommitted, then the process goes.
        await first.App.Services.GetServices<EventConsumerService>().Single().AbortAsync();
        await first.DisposeAsync();

        await using var second = await ServiceHost.StartAsync("order", settings);
        var order = await WaitForStateAsync(second, "default-000000777", OrderV1.OrderState.Exported, TimeSpan.FromSeconds(60));

        var counters = await SandboxCountersAsync(sandbox);
        Assert.Equal(1, counters.Item("erp.orders.created", "default-000000777"));
        Assert.True(counters.Item("erp.orders.received", "default-000000777") >= 2, "the restarted service never called the ERP again");
        Assert.True(counters.Item("erp.orders.duplicates_refused", "default-000000777") >= 1, "the ERP did not see the repeated idempotency key");
        Assert.StartsWith("SO-", order.ErpDocumentNumber, StringComparison.Ordinal);
    }

    private static HttpRequestMessage SignedWebhook(string incrementId)
    {
        var body = Encoding.UTF8.GetBytes($$$"""
            {"entity_id": 777, "increment_id": "{{{incrementId}}}", "store_id": 1, "created_at": "2026-11-22 10:00:00", "updated_at": "2026-11-22 10:00:00",
             "status": "pending", "state": "new", "order_currency_code": "EUR", "grand_total": 30.00, "subtotal": 25.00, "shipping_amount": 5.00, "tax_amount": 0,
             "customer_id": null, "customer_is_guest": 1,
             "items": [{"item_id": 1, "sku": "SKU-1", "product_type": "simple", "qty_ordered": 2, "price": 12.50, "row_total": 25.00}],
             "billing_address": {"country_id": "NL"}}
            """);
        var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/magento/default/orders") { Content = new ByteArrayContent(body) };
        request.Headers.Add(MagentoWebhookSignature.HeaderName, MagentoWebhookSignature.CreateHeader(WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
        request.Headers.Add("X-Platform-Webhook-Id", "delivery-777");
        return request;
    }

    private static async Task<OrderV1.Order> WaitForStateAsync(ServiceHost host, string orderId, OrderV1.OrderState state, TimeSpan timeout)
    {
        var client = new OrderV1.OrderService.OrderServiceClient(host.Channel);
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                var order = (await client.GetOrderAsync(new OrderV1.GetOrderRequest { OrderId = orderId }, ServiceHost.WithKey(ServiceHost.ReaderKey))).Order;
                if (order.State == state)
                {
                    return order;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
            }

            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"order {orderId} did not reach {state} within {timeout}");
            }

            await Task.Delay(100);
        }
    }

    private static async Task<SandboxCounterSnapshot> SandboxCountersAsync(ServiceHost sandbox)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "_sandbox/counters");
        request.Headers.Add("x-api-key", ServiceHost.AdminKey);
        using var response = await sandbox.Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return new SandboxCounterSnapshot(await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private sealed record SandboxCounterSnapshot(JsonElement Root)
    {
        public long Item(string counter, string item) =>
            Root.GetProperty("counters").TryGetProperty(counter, out var named) && named.GetProperty("items").TryGetProperty(item, out var value) ? value.GetInt64() : 0;
    }

    /// <summary>Lets the ERP accept the export, then never returns: the process is killed in that window.</summary>
    private sealed class CrashAfterAcceptance(IErpClient inner, TaskCompletionSource accepted) : IErpClient
    {
        public async Task<ErpSalesOrderResult> CreateSalesOrderAsync(ErpSalesOrder order, CancellationToken cancellationToken = default)
        {
            var result = await inner.CreateSalesOrderAsync(order, cancellationToken);
            accepted.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return result;
        }

        public Task<ErpDocumentResult> CancelSalesOrderAsync(ErpCancellation cancellation, CancellationToken cancellationToken = default) => inner.CancelSalesOrderAsync(cancellation, cancellationToken);
        public Task<ErpDocumentResult> CreateCreditNoteAsync(ErpCreditNote creditNote, CancellationToken cancellationToken = default) => inner.CreateCreditNoteAsync(creditNote, cancellationToken);
        public Task<ErpSalesOrderListPage> ListSalesOrdersAsync(DateTimeOffset from, DateTimeOffset to, string? storeCode, int page, int pageSize, CancellationToken cancellationToken = default) =>
            inner.ListSalesOrdersAsync(from, to, storeCode, page, pageSize, cancellationToken);
        public IAsyncEnumerable<ErpSalesOrderListPage> EnumerateSalesOrdersAsync(DateTimeOffset from, DateTimeOffset to, string? storeCode, int pageSize = 100, CancellationToken cancellationToken = default) =>
            inner.EnumerateSalesOrdersAsync(from, to, storeCode, pageSize, cancellationToken);
    }
}

internal static class ErpClientDecoration
{
    /// <summary>Wraps the registered ERP client (typed HttpClient registrations cannot be decorated by re-registering).</summary>
    public static IServiceCollection Decorate(this IServiceCollection services, Func<IErpClient, IErpClient> decorate)
    {
        var original = services.Last(d => d.ServiceType == typeof(IErpClient));
        services.Remove(original);
        services.Add(ServiceDescriptor.Describe(typeof(IErpClient), provider =>
        {
            var inner = original.ImplementationFactory is { } factory
                ? (IErpClient)factory(provider)
                : (IErpClient)ActivatorUtilities.CreateInstance(provider, original.ImplementationType!);
            return decorate(inner);
        }, original.Lifetime));
        return services;
    }
}
