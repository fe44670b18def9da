using System.Net;
using System.Text;
using Grpc.Core;
using Platform.Connectors.Magento;
using OrderV1 = Platform.Contracts.Order.V1;

namespace Platform.Services.FunctionalTests;

/// <summary>The order service's signed Magento webhook, from the HTTP request to the order it becomes.</summary>
public sealed class OrderWebhookTests
{
    private const string Secret = "test-webhook-secret";

    private static string OrderJson(string incrementId, string? customerId = "17") => $$"""
        {
          "entity_id": 42, "increment_id": "{{incrementId}}", "store_id": 1,
          "created_at": "2026-11-22 10:00:00", "updated_at": "2026-11-22 10:00:00",
          "status": "pending", "state": "new", "order_currency_code": "EUR",
          "grand_total": 34.67, "subtotal": 25.00, "shipping_amount": 4.90, "tax_amount": 4.77,
          "customer_id": {{customerId ?? "null"}}, "customer_is_guest": {{(customerId is null ? 1 : 0)}}, "customer_email": "buyer@example.com",
          "items": [ { "item_id": 1, "sku": "SKU-1", "product_type": "simple", "qty_ordered": 2, "price": 12.50, "row_total": 25.00, "tax_amount": 4.77 } ],
          "billing_address": { "country_id": "DE", "region_code": "BE", "firstname": "Erika", "street": ["Hauptstr. 1"] }
        }
        """;

    private static HttpRequestMessage Webhook(string store, string body, string? signature = null, string deliveryId = "delivery-1")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var request = new HttpRequestMessage(HttpMethod.Post, $"webhooks/magento/{store}/orders") { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(MagentoWebhookSignature.HeaderName, signature ?? MagentoWebhookSignature.CreateHeader(Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), bytes));
        request.Headers.Add("X-Platform-Webhook-Id", deliveryId);
        return request;
    }

    private static async Task<OrderV1.Order> WaitForOrderAsync(ServiceHost host, string orderId)
    {
        var client = new OrderV1.OrderService.OrderServiceClient(host.Channel);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return (await client.GetOrderAsync(new OrderV1.GetOrderRequest { OrderId = orderId }, ServiceHost.WithKey(ServiceHost.ReaderKey))).Order;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && attempt < 100)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task A_signed_webhook_is_accepted_at_once_and_becomes_an_order_of_its_store_without_personal_data()
    {
        await using var host = await ServiceHost.StartAsync("order");

        using var response = await host.Http.SendAsync(Webhook("default", OrderJson("000000123")));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var order = await WaitForOrderAsync(host, "default-000000123");
        Assert.Equal("000000123", order.OrderNumber);
        Assert.Equal(OrderV1.OrderState.Placed, order.State);
        Assert.Equal(34.67m, order.Totals.GrandTotal.ToDecimal());
        Assert.Equal("DE", order.ShippingRegion.CountryCode);
        Assert.DoesNotContain("buyer@example.com", order.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Hauptstr", order.ToString(), StringComparison.Ordinal);

        var otherStore = await Assert.ThrowsAsync<RpcException>(() => new OrderV1.OrderService.OrderServiceClient(host.Channel)
            .GetOrderAsync(new OrderV1.GetOrderRequest { OrderId = "default-000000123", StoreCode = "b2b" }, ServiceHost.WithKey(ServiceHost.ReaderKey)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, otherStore.StatusCode);
    }

    [Fact]
    public async Task A_guest_order_flows_like_any_other()
    {
        await using var host = await ServiceHost.StartAsync("order");
        using var response = await host.Http.SendAsync(Webhook("default", OrderJson("000000124", customerId: null)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var order = await WaitForOrderAsync(host, "default-000000124");
        Assert.Empty(order.CustomerId);
    }

    [Fact]
    public async Task Bad_webhooks_get_a_clear_refusal_and_the_next_good_one_still_flows()
    {
        await using var host = await ServiceHost.StartAsync("order");

        using var badSignature = await host.Http.SendAsync(Webhook("default", OrderJson("000000200"), signature: "t=1,v1=00"));
        Assert.Equal(HttpStatusCode.Unauthorized, badSignature.StatusCode);
        Assert.Contains("signature", await badSignature.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        using var unknownStore = await host.Http.SendAsync(Webhook("atlantis", OrderJson("000000201")));
        Assert.Equal(HttpStatusCode.NotFound, unknownStore.StatusCode);
        Assert.Contains("atlantis", await unknownStore.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var malformed = await host.Http.SendAsync(Webhook("default", "{\"increment_id\": 5"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        using var missingField = await host.Http.SendAsync(Webhook("default", OrderJson("000000202").Replace("\"sku\": \"SKU-1\", ", "", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, missingField.StatusCode);
        Assert.Contains("sku", await missingField.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var good = await host.Http.SendAsync(Webhook("default", OrderJson("000000203")));
        Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        Assert.Equal("000000203", (await WaitForOrderAsync(host, "default-000000203")).OrderNumber);
    }

    [Fact]
    public async Task The_same_delivery_twice_is_one_order_at_version_one()
    {
        await using var host = await ServiceHost.StartAsync("order");
        var body = OrderJson("000000300");
        using (await host.Http.SendAsync(Webhook("default", body, deliveryId: "same")))
        using (await host.Http.SendAsync(Webhook("default", body, deliveryId: "same")))
        using (await host.Http.SendAsync(Webhook("default", body, deliveryId: "another-delivery-of-the-same-state")))
        {
        }

        var order = await WaitForOrderAsync(host, "default-000000300");
        await Task.Delay(300);
        Assert.Equal(1, (await WaitForOrderAsync(host, "default-000000300")).Version);
        Assert.Equal(1, order.Revision);
    }
}
