using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Sandbox.Tests;

public sealed class MagentoOrderTests
{
    // The fields of Magento's sales order entity (GET /V1/orders/{id}) the platform reads, as the REST reference lists them.
    private static readonly string[] OrderFields =
    [
        "entity_id", "increment_id", "store_id", "created_at", "updated_at", "state", "status", "order_currency_code",
        "base_currency_code", "grand_total", "base_grand_total", "subtotal", "shipping_amount", "discount_amount", "tax_amount",
        "customer_email", "customer_is_guest", "customer_group_id", "total_qty_ordered", "items", "billing_address", "payment",
        "extension_attributes",
    ];

    private static readonly string[] ItemFields =
    [
        "item_id", "order_id", "sku", "name", "product_type", "qty_ordered", "qty_invoiced", "qty_shipped", "qty_canceled",
        "qty_refunded", "price", "discount_amount", "tax_amount", "tax_percent", "row_total", "row_total_incl_tax",
    ];

    private static readonly object SampleOrder = new
    {
        created_at = "2026-11-20 08:30:00",
        order_currency_code = "EUR",
        customer_id = 42,
        customer_email = "roni_cost@example.com",
        customer_firstname = "Veronica",
        customer_lastname = "Costello",
        shipping_amount = 5,
        tax_percent = 19,
        shipping_address = new { country_id = "DE", region_code = "BER", city = "Berlin", postcode = "10115", street = new[] { "Invalidenstraße 1" } },
        items = new object[]
        {
            new { sku = "24-MB01", qty = 2, price = 34, discount_amount = 6.8 },
            new { sku = "WS03-XS-Red", qty = 1, price = 29, product_type = "configurable", name = "Iris Workout Top", child_name = "Iris Workout Top-XS-Red" },
        },
    };

    [Fact]
    public async Task A_created_order_has_magento_order_shape_and_its_totals_add_up_as_magento_adds_them()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var created = await sandbox.CreateOrderAsync(SampleOrder);
        var order = await sandbox.OrderAsync(created.EntityId());

        Assert.All(OrderFields, field => Assert.True(order.TryGetProperty(field, out _), $"order lacks {field}"));
        Assert.Equal("000000001", order.Text("increment_id"));
        Assert.Equal(1, order.GetProperty("store_id").GetInt32());
        Assert.Equal("new", order.Text("state"));
        Assert.Equal("pending", order.Text("status"));
        Assert.Equal("2026-11-20 08:30:00", order.Text("created_at"));
        Assert.Equal(order.Text("created_at"), order.Text("updated_at"));
        Assert.Equal(0, order.GetProperty("customer_is_guest").GetInt32());
        Assert.Equal(42, order.GetProperty("customer_id").GetInt64());
        Assert.Equal("EUR", order.Text("order_currency_code"));

        // 2 × 34 − 6.80 discount and 29: subtotal 97, tax 19 % of (61.20 + 29) and of the 5 shipping.
        Assert.Equal(97m, order.Decimal("subtotal"));
        Assert.Equal(-6.8m, order.Decimal("discount_amount"));
        Assert.Equal(11.63m + 5.51m + 0.95m, order.Decimal("tax_amount"));
        Assert.Equal(97m - 6.8m + 5m + 18.09m, order.Decimal("grand_total"));
        Assert.Equal(3m, order.Decimal("total_qty_ordered"));

        var items = order.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        Assert.All(items, item => Assert.All(ItemFields, field => Assert.True(item.TryGetProperty(field, out _), $"item lacks {field}")));
        Assert.Equal(6.8m, items[0].Decimal("discount_amount"));
        Assert.Equal(68m, items[0].Decimal("row_total"));
        var parent = items[1];
        var child = items[2];
        Assert.Equal("configurable", parent.Text("product_type"));
        Assert.Equal("simple", child.Text("product_type"));
        Assert.Equal("WS03-XS-Red", child.Text("sku"));
        Assert.Equal(parent.GetProperty("item_id").GetInt64(), child.GetProperty("parent_item_id").GetInt64());
        Assert.Equal(0m, child.Decimal("price"));
        Assert.Equal(parent.GetProperty("item_id").GetInt64(), child.GetProperty("parent_item").GetProperty("item_id").GetInt64());
        Assert.False(parent.TryGetProperty("parent_item_id", out _), "Magento leaves out what has no value");

        var assignment = order.GetProperty("extension_attributes").GetProperty("shipping_assignments")[0];
        var shippingAddress = assignment.GetProperty("shipping").GetProperty("address");
        Assert.Equal("shipping", shippingAddress.Text("address_type"));
        Assert.Equal("DE", shippingAddress.Text("country_id"));
        Assert.Equal("BER", shippingAddress.Text("region_code"));
        Assert.Equal("Berlin", shippingAddress.Text("region"));
        Assert.Equal(3, assignment.GetProperty("items").GetArrayLength());
        Assert.Equal("billing", order.GetProperty("billing_address").Text("address_type"));
    }

    [Fact]
    public async Task Numbers_have_no_trailing_zeros_and_timestamps_are_magento_utc_format()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var created = await sandbox.CreateOrderAsync(new { items = new[] { new { sku = "X-1", price = 10, qty = 1 } }, tax_percent = 0, shipping_amount = 0 });

        using var request = new HttpRequestMessage(HttpMethod.Get, $"magento/rest/default/V1/orders/{created.EntityId()}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", SandboxHost.MagentoToken);
        using var response = await sandbox.Client.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Contains("\"grand_total\":10,", raw, StringComparison.Ordinal);
        Assert.Matches(new Regex("\"updated_at\":\"\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\""), raw);
    }

    [Fact]
    public async Task A_guest_order_has_no_customer_id()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var order = await sandbox.CreateOrderAsync(new { customer_is_guest = true, customer_email = "guest@example.com" });

        Assert.Equal(1, order.GetProperty("customer_is_guest").GetInt32());
        Assert.False(order.TryGetProperty("customer_id", out _));
        Assert.Equal(0, order.GetProperty("customer_group_id").GetInt32());
    }

    [Fact]
    public async Task Generated_orders_are_complete_orders_and_the_same_seed_generates_the_same_ones()
    {
        var first = await GenerateAsync();
        var again = await GenerateAsync();

        Assert.Equal(first, again);

        static async Task<List<string>> GenerateAsync()
        {
            await using var sandbox = await SandboxHost.StartAsync();
            using var response = await sandbox.Client.PostAsJsonAsync("_sandbox/magento/stores/default/orders/generate", new { count = 20 });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var created = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("orders");
            Assert.Equal(20, created.GetArrayLength());

            var fingerprints = new List<string>();
            foreach (var entry in created.EnumerateArray())
            {
                var order = await sandbox.OrderAsync(entry.EntityId());
                Assert.Equal(entry.Text("increment_id"), order.Text("increment_id"));
                Assert.True(order.Decimal("grand_total") > 0);
                Assert.Contains(order.Text("status"), new[] { "pending", "processing" });
                fingerprints.Add(string.Join("|", order.Text("customer_email"), order.Decimal("grand_total"), order.Text("status"),
                    string.Join(",", order.GetProperty("items").EnumerateArray().Select(item => item.Text("sku") + "x" + item.Decimal("qty_ordered")))));
            }

            return fingerprints;
        }
    }

    [Fact]
    public async Task Increment_ids_follow_magento_per_store_sequences()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Magento:StoreViews:2:Id"] = "2",
            ["Sandbox:Magento:StoreViews:2:Code"] = "de",
            ["Sandbox:Magento:StoreViews:2:Name"] = "Deutsch",
            ["Sandbox:Magento:StoreViews:2:WebsiteId"] = "1",
            ["Sandbox:Magento:StoreViews:2:StoreGroupId"] = "1",
        });

        var first = await sandbox.CreateOrderAsync();
        var german = await sandbox.CreateOrderAsync(store: "de");
        var second = await sandbox.CreateOrderAsync();

        Assert.Equal("000000001", first.Text("increment_id"));
        Assert.Equal("2000000001", german.Text("increment_id"));
        Assert.Equal(2, german.GetProperty("store_id").GetInt32());
        Assert.Equal("000000002", second.Text("increment_id"));
        Assert.Equal(3, second.EntityId());
    }

    [Fact]
    public async Task An_unknown_order_id_gets_magento_no_such_entity_and_a_non_numeric_one_a_type_error()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (missingStatus, missing) = await sandbox.MagentoGetAsync("orders/999");
        var (wrongStatus, wrong) = await sandbox.MagentoGetAsync("orders/abc");

        Assert.Equal(HttpStatusCode.NotFound, missingStatus);
        Assert.Equal("The entity that was requested doesn't exist. Verify the entity and try again.", missing.Text("message"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongStatus);
        Assert.Equal("abc", wrong.GetProperty("parameters").Text("value"));
    }

    [Fact]
    public async Task An_unknown_store_code_matches_no_route()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var order = await sandbox.CreateOrderAsync();

        var (listStatus, list) = await sandbox.MagentoGetAsync("orders?searchCriteria", store: "nowhere");
        var (readStatus, _) = await sandbox.MagentoGetAsync($"orders/{order.EntityId()}", store: "nowhere");
        var (allStatus, _) = await sandbox.MagentoGetAsync($"orders/{order.EntityId()}", store: "all");

        Assert.Equal(HttpStatusCode.NotFound, listStatus);
        Assert.Equal("Request does not match any route.", list.Text("message"));
        Assert.Equal(HttpStatusCode.NotFound, readStatus);
        Assert.Equal(HttpStatusCode.OK, allStatus);
        using var control = await sandbox.Client.PostAsync("_sandbox/magento/stores/nowhere/orders", null);
        Assert.Equal(HttpStatusCode.NotFound, control.StatusCode);
    }

    [Fact]
    public async Task Orders_need_the_integration_token_and_a_401_names_the_sales_acl_resource()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var response = await sandbox.Client.GetAsync("magento/rest/default/V1/orders?searchCriteria");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Magento_Sales::actions_view", body.GetProperty("parameters").Text("resources"));
    }

    [Theory]
    [InlineData("""{"items": []}""", "items")]
    [InlineData("""{"items": [{"sku": "NOT-IN-CATALOG", "qty": 1}]}""", "price")]
    [InlineData("""{"items": [{"sku": "24-MB01", "qty": 0}]}""", "qty")]
    [InlineData("""{"customer_is_guest": true, "customer_id": 5}""", "customer_id")]
    [InlineData("""{"order_currency_code": "euro"}""", "order_currency_code")]
    [InlineData("""{"created_at": "yesterday"}""", "created_at")]
    [InlineData("""{"grand_totall": 5}""", "grand_totall")]
    public async Task An_invalid_order_spec_is_refused_naming_the_field(string json, string field)
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var response = await sandbox.Client.PostAsync("_sandbox/magento/stores/default/orders",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var (_, list) = await sandbox.MagentoGetAsync("orders?searchCriteria");
        Assert.Equal(0, list.GetProperty("total_count").GetInt32());
    }
}
