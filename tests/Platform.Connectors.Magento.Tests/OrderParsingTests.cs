using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Connectors.Magento.Tests.Infrastructure;

namespace Platform.Connectors.Magento.Tests;

public sealed class OrderParsingTests
{
    private static MagentoOrder Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return MagentoOrderParser.ParseOrder(document.RootElement);
    }

    private static MagentoPayloadException ParseFails(Action<JsonObject> breakIt, string sample = "order-guest.json")
    {
        var order = JsonNode.Parse(Samples.Read(sample))!.AsObject();
        breakIt(order);
        return Assert.Throws<MagentoPayloadException>(() => Parse(order.ToJsonString()));
    }

    [Fact]
    public void Guest_order_is_read_with_totals_lines_and_both_addresses()
    {
        var order = Parse(Samples.Read("order-guest.json"));

        Assert.Equal(3, order.EntityId);
        Assert.Equal("000000003", order.IncrementId);
        Assert.Equal(1, order.StoreId);
        Assert.Equal(new DateTimeOffset(2024, 3, 7, 10, 15, 22, TimeSpan.Zero), order.CreatedAt);
        Assert.Equal(new DateTimeOffset(2024, 3, 7, 10, 15, 24, TimeSpan.Zero), order.UpdatedAt);
        Assert.Equal(TimeSpan.Zero, order.UpdatedAt.Offset);
        Assert.Equal(("pending", "new"), (order.Status, order.State));
        Assert.Equal("USD", order.OrderCurrencyCode);
        Assert.Equal(54.5m, order.GrandTotal);
        Assert.Equal(45m, order.Subtotal);
        Assert.Equal(10m, order.ShippingAmount);
        Assert.Equal(-4.5m, order.DiscountAmount);
        Assert.Equal(4m, order.TaxAmount);
        Assert.True(order.CustomerIsGuest);
        Assert.Null(order.CustomerId);
        Assert.Equal("roni_cost@example.com", order.CustomerEmail);
        Assert.Equal(new MagentoAddress("US", "MI"), order.BillingAddress);
        Assert.Equal(new MagentoAddress("US", "MI"), order.ShippingAddress);

        Assert.Equal(["24-WG085", "24-UG03"], order.Lines.Select(l => l.Sku));
        var strap = order.Items[0];
        Assert.Equal(5, strap.ItemId);
        Assert.Null(strap.ParentItemId);
        Assert.Equal(2m, strap.QtyOrdered);
        Assert.Equal(14m, strap.Price);
        Assert.Equal(2.1m, strap.DiscountAmount);
        Assert.Equal(2.31m, strap.TaxAmount);
        Assert.Equal(28m, strap.RowTotal);
        Assert.Equal(order.Subtotal, order.Lines.Sum(l => l.RowTotal));
        Assert.Equal(order.GrandTotal, order.Subtotal + order.DiscountAmount + order.ShippingAmount + order.TaxAmount);
    }

    [Fact]
    public void Configurable_child_is_kept_in_items_but_not_exported_twice()
    {
        var order = Parse(Samples.Read("order-configurable.json"));

        Assert.Equal(3, order.Items.Count);
        var child = order.Items.Single(i => i.ParentItemId is not null);
        Assert.Equal((302L, 301L, "simple"), (child.ItemId, child.ParentItemId!.Value, child.ProductType));

        Assert.Equal([301L, 303L], order.Lines.Select(l => l.ItemId));
        var hoodie = order.Lines[0];
        Assert.Equal(("MH01-XS-Black", MagentoProductTypes.Configurable, 52m, 1m), (hoodie.Sku, hoodie.ProductType, hoodie.RowTotal, hoodie.QtyOrdered));
        Assert.Equal(1m, hoodie.QtyShipped);
        Assert.Equal(order.Subtotal, order.Lines.Sum(l => l.RowTotal));

        Assert.False(order.CustomerIsGuest);
        Assert.Equal(27L, order.CustomerId);
        Assert.Equal(new MagentoAddress("GB", null), order.ShipTo);
    }

    [Fact]
    public void Dynamic_bundle_exports_its_priced_children_instead_of_the_zero_parent()
    {
        var order = Parse(Samples.Read("order-bundle-dynamic.json"));

        Assert.Equal(["24-WG084", "24-WG088"], order.Lines.Select(l => l.Sku));
        Assert.Equal(order.Subtotal, order.Lines.Sum(l => l.RowTotal));
        // Without a shipping assignment (the sample has none) the order ships to its billing address.
        Assert.Null(order.ShippingAddress);
        Assert.Equal(new MagentoAddress("US", "TX"), order.ShipTo);
    }

    [Fact]
    public void Multi_currency_order_keeps_order_and_base_currency_apart()
    {
        var order = Parse(Samples.Read("order-multicurrency.json"));

        Assert.Equal("CHF", order.OrderCurrencyCode);
        Assert.Equal(125.0m, order.GrandTotal);
        Assert.Equal("EUR", order.BaseCurrencyCode);
        Assert.Equal(131.58m, order.BaseGrandTotal);
        Assert.Equal(new MagentoAddress("CH", "BE"), order.ShippingAddress);
        Assert.Equal(new MagentoAddress("CH", "ZH"), order.BillingAddress);
        Assert.Equal(new DateTimeOffset(2024, 11, 2, 23, 59, 59, TimeSpan.Zero), order.CreatedAt);
    }

    [Fact]
    public void Fractional_quantities_and_numbers_sent_as_strings_are_read_exactly()
    {
        var order = Parse(Samples.Read("order-fractional-qty.json"));

        var line = Assert.Single(order.Lines);
        Assert.Equal(1.5m, line.QtyOrdered);
        Assert.Equal(12.4m, line.Price);
        Assert.Equal(18.6m, line.RowTotal);
        Assert.Equal(57L, order.EntityId);
        Assert.Equal(1, order.StoreId);
        Assert.Equal(26.71m, order.GrandTotal);
        Assert.True(order.CustomerIsGuest);
        Assert.Equal(new MagentoAddress("AT", null), order.ShipTo);
    }

    [Fact]
    public void Unknown_fields_and_explicit_nulls_of_optional_fields_are_ignored()
    {
        var json = JsonNode.Parse(Samples.Read("order-guest.json"))!.AsObject();
        json["some_extension_field"] = new JsonObject { ["nested"] = new JsonArray(1, 2) };
        json["discount_amount"] = null;
        json["items"]![0]!["vendor_attribute"] = "x";

        var order = Parse(json.ToJsonString());

        Assert.Equal(0m, order.DiscountAmount);
        Assert.Equal(2, order.Items.Count);
    }

    [Fact]
    public void Missing_required_fields_are_named_with_their_path_and_the_order()
    {
        Assert.Equal(
            "Magento order 000000003: items[1].sku is missing",
            ParseFails(o => o["items"]![1]!.AsObject().Remove("sku")).Message);
        Assert.Equal(
            "Magento order 000000003: grand_total is missing",
            ParseFails(o => o.Remove("grand_total")).Message);
        Assert.Equal(
            "Magento order 000000003: extension_attributes.shipping_assignments[0].shipping.address.country_id is missing",
            ParseFails(o => o["extension_attributes"]!["shipping_assignments"]![0]!["shipping"]!["address"]!.AsObject().Remove("country_id")).Message);
        Assert.Equal(
            "Magento order entity 3: increment_id is missing",
            ParseFails(o => o.Remove("increment_id")).Message);

        var failure = ParseFails(o => o["items"]![0]!.AsObject().Remove("qty_ordered"));
        Assert.Equal(("000000003", 3L), (failure.IncrementId, failure.EntityId));
        Assert.Contains("items[0].qty_ordered is missing", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_types_are_refused_without_echoing_the_value()
    {
        var failure = ParseFails(o => o["items"]![0]!["price"] = "fourteen dollars");
        Assert.Equal("Magento order 000000003: items[0].price must be a decimal number, found a string of 16 characters", failure.Message);

        var timestamp = ParseFails(o => o["updated_at"] = "07/03/2024 10:15");
        Assert.Contains("updated_at must be a UTC timestamp formatted yyyy-MM-dd HH:mm:ss", timestamp.Message, StringComparison.Ordinal);

        var items = ParseFails(o => o["items"] = new JsonObject());
        Assert.Contains("items must be an array, found an object", items.Message, StringComparison.Ordinal);

        var email = ParseFails(o => o["customer_email"] = new JsonArray("roni_cost@example.com"));
        Assert.DoesNotContain("roni_cost", email.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_reports_an_unreadable_order_beside_the_readable_ones()
    {
        using var document = JsonDocument.Parse(Samples.Read("orders-search-result.json"));

        var page = MagentoOrderParser.ParsePage(document.RootElement, 1, 50);

        Assert.Equal(2, page.TotalCount);
        var good = Assert.Single(page.Orders);
        Assert.Equal("000000001", good.IncrementId);
        Assert.Equal(new MagentoAddress("US", "TX"), good.ShipTo);
        var bad = Assert.Single(page.Invalid);
        Assert.Equal(2L, bad.EntityId);
        Assert.Equal("000000002", bad.IncrementId);
        Assert.Equal(new DateTimeOffset(2024, 3, 7, 9, 5, 1, TimeSpan.Zero), bad.UpdatedAt);
        Assert.Equal("Magento order 000000002: items[0].sku is missing", bad.Error);
    }

    [Fact]
    public void A_webhook_body_is_read_as_one_order_document()
    {
        var order = MagentoOrderDocument.Parse(System.Text.Encoding.UTF8.GetBytes(Samples.Read("order-configurable.json")));

        Assert.Equal("000000118", order.IncrementId);
        Assert.Throws<MagentoPayloadException>(() => MagentoOrderDocument.Parse("{not json"u8.ToArray()));
    }

    [Fact]
    public void A_list_without_total_count_is_refused()
    {
        using var document = JsonDocument.Parse("""{"items":[]}""");

        var failure = Assert.Throws<MagentoPayloadException>(() => MagentoOrderParser.ParsePage(document.RootElement, 1, 10));

        Assert.Equal("Magento order list: total_count is missing", failure.Message);
    }
}
