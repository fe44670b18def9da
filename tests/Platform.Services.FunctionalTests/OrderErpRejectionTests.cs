using System.Net;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.Magento;
using Platform.Messaging;
using OrderV1 = Platform.Contracts.Order.V1;

namespace Platform.Services.FunctionalTests;

/// <summary>An order line the ERP will never accept is a dead letter with the ERP's reason, and the next order still flows.</summary>
public sealed class OrderErpRejectionTests
{
    [Fact]
    public async Task An_order_with_a_SKU_the_ERP_rejects_is_dead_lettered_with_the_reason_and_the_next_good_order_is_exported()
    {
        await using var sandbox = await ServiceHost.StartAsync("sandbox", new Dictionary<string, string?> { ["Sandbox:Erp:RejectedSkus:0"] = "SKU-RETIRED" });
        await using var order = await ServiceHost.StartAsync("order", new Dictionary<string, string?>
        {
            ["Platform:Connectors:erp:BaseAddress"] = new Uri(sandbox.Endpoints.Http, "erp/").ToString(),
        });

        using (var rejected = await order.Http.SendAsync(Webhook("000000901", "SKU-RETIRED")))
        using (var good = await order.Http.SendAsync(Webhook("000000902", "SKU-1")))
        {
            Assert.Equal(HttpStatusCode.Accepted, rejected.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        }

        var exported = await WaitForAsync(order, "default-000000902", o => o.State == OrderV1.OrderState.Exported);
        Assert.StartsWith("SO-", exported.ErpDocumentNumber, StringComparison.Ordinal);

        var deadLetters = order.App.Services.GetRequiredService<IDeadLetterStore>();
        var letter = await EventuallyAsync(async () => (await deadLetters.ListAsync(new DeadLetterFilter())).SingleOrDefault());
        Assert.Equal(FailureKinds.Invalid, letter.FailureKind);
        Assert.Equal("default-000000901", letter.Key);
        Assert.Contains("SKU-RETIRED", letter.Reason, StringComparison.Ordinal);
        var stuck = await WaitForAsync(order, "default-000000901", _ => true);
        Assert.Equal(OrderV1.OrderState.Placed, stuck.State);
    }

    private static HttpRequestMessage Webhook(string incrementId, string sku)
    {
        var body = Encoding.UTF8.GetBytes($$$"""
            {"entity_id": {{{long.Parse(incrementId, System.Globalization.CultureInfo.InvariantCulture)}}}, "increment_id": "{{{incrementId}}}", "store_id": 1,
             "created_at": "2026-11-22 10:00:00", "updated_at": "2026-11-22 10:00:00", "status": "pending", "state": "new",
             "order_currency_code": "EUR", "grand_total": 25.00, "subtotal": 25.00, "shipping_amount": 0, "tax_amount": 0,
             "customer_id": null, "customer_is_guest": 1,
             "items": [{"item_id": 1, "sku": "{{{sku}}}", "product_type": "simple", "qty_ordered": 2, "price": 12.50, "row_total": 25.00}],
             "billing_address": {"country_id": "FR"}}
            """);
        var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/magento/default/orders") { Content = new ByteArrayContent(body) };
        request.Headers.Add(MagentoWebhookSignature.HeaderName, MagentoWebhookSignature.CreateHeader("test-webhook-secret", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), body));
        request.Headers.Add("X-Platform-Webhook-Id", "delivery-" + incrementId);
        return request;
    }

    private static async Task<OrderV1.Order> WaitForAsync(ServiceHost host, string orderId, Func<OrderV1.Order, bool> condition)
    {
        var client = new OrderV1.OrderService.OrderServiceClient(host.Channel);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var order = (await client.GetOrderAsync(new OrderV1.GetOrderRequest { OrderId = orderId }, ServiceHost.WithKey(ServiceHost.ReaderKey))).Order;
                if (condition(order) || attempt > 300)
                {
                    return order;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && attempt < 300)
            {
            }

            await Task.Delay(50);
        }
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> read)
        where T : class
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await read() is { } value)
            {
                return value;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("nothing appeared within 15 s");
    }
}
