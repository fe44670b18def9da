using System.Net;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class MagentoOrderLifecycleTests
{
    // Two lines, 19 % tax, 5 shipping: subtotal 2×20 + 1×10 = 50, tax 9.50 + 0.95, grand total 65.45.
    private static readonly object TwoLines = new
    {
        tax_percent = 19,
        shipping_amount = 5,
        items = new object[] { new { sku = "A-1", qty = 2, price = 20 }, new { sku = "B-1", qty = 1, price = 10 } },
    };

    private static JsonElement Item(JsonElement order, string sku) =>
        order.GetProperty("items").EnumerateArray().First(item => item.Text("sku") == sku);

    private static string StateOf(JsonElement order) => order.Text("state") + "/" + order.Text("status");

    [Fact]
    public async Task Invoice_then_ship_completes_the_order_and_a_full_refund_closes_it_each_step_bumping_updated_at()
    {
        var clock = new TestClock(TestClock.Start);
        await using var sandbox = await SalesTestKit.StartWithClockAsync(clock);
        var order = await sandbox.CreateOrderAsync(TwoLines);
        var id = order.EntityId();
        Assert.Equal("new/pending", StateOf(order));
        Assert.Equal(65.45m, order.Decimal("grand_total"));

        clock.Advance(TimeSpan.FromSeconds(30));
        var (_, invoiced) = await sandbox.ChangeOrderAsync(id, "invoice");
        Assert.Equal("processing/processing", StateOf(invoiced));
        Assert.Equal(65.45m, invoiced.Decimal("total_paid"));
        Assert.Equal(2m, Item(invoiced, "A-1").Decimal("qty_invoiced"));
        Assert.Equal("2026-11-22 09:00:30", invoiced.Text("updated_at"));

        clock.Advance(TimeSpan.FromSeconds(30));
        var (_, shipped) = await sandbox.ChangeOrderAsync(id, "ship", new { tracks = new[] { new { track_number = "1Z999", carrier_code = "ups", title = "UPS" } } });
        Assert.Equal("complete/complete", StateOf(shipped));
        Assert.Equal(2m, Item(shipped, "A-1").Decimal("qty_shipped"));
        Assert.Equal(1m, Item(shipped, "B-1").Decimal("qty_shipped"));
        Assert.Equal("2026-11-22 09:01:00", shipped.Text("updated_at"));

        clock.Advance(TimeSpan.FromSeconds(30));
        var (status, refunded) = await sandbox.ChangeOrderAsync(id, "refund");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("closed/closed", StateOf(refunded));
        Assert.Equal(65.45m, refunded.Decimal("total_refunded"));
        Assert.Equal(2m, Item(refunded, "A-1").Decimal("qty_refunded"));
        Assert.Equal(5m, refunded.Decimal("shipping_refunded"));
        Assert.Equal("2026-11-22 09:01:30", refunded.Text("updated_at"));

        var (_, shipments) = await sandbox.MagentoGetAsync($"shipments?searchCriteria[filter_groups][0][filters][0][field]=order_id&searchCriteria[filter_groups][0][filters][0][value]={id}");
        var shipment = shipments.GetProperty("items")[0];
        Assert.Equal(3m, shipment.Decimal("total_qty"));
        Assert.Equal("1Z999", shipment.GetProperty("tracks")[0].Text("track_number"));
        var (_, memos) = await sandbox.MagentoGetAsync($"creditmemos?searchCriteria[filter_groups][0][filters][0][field]=order_id&searchCriteria[filter_groups][0][filters][0][value]={id}");
        Assert.Equal(1, memos.GetProperty("total_count").GetInt32());
        Assert.Equal(65.45m, memos.GetProperty("items")[0].Decimal("grand_total"));
        var (_, invoices) = await sandbox.MagentoGetAsync("invoices?searchCriteria");
        Assert.Equal(65.45m, invoices.GetProperty("items")[0].Decimal("grand_total"));
    }

    [Fact]
    public async Task A_partial_shipment_keeps_the_order_processing_until_the_rest_ships()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var order = await sandbox.CreateOrderAsync(new { invoice = true, items = new object[] { new { sku = "A-1", qty = 3, price = 20 } } });
        var id = order.EntityId();

        var (_, partly) = await sandbox.ChangeOrderAsync(id, "ship", new { items = new[] { new { sku = "A-1", qty = 1 } } });
        Assert.Equal("processing/processing", StateOf(partly));
        Assert.Equal(1m, Item(partly, "A-1").Decimal("qty_shipped"));

        var (tooMuch, _) = await sandbox.ChangeOrderAsync(id, "ship", new { items = new[] { new { sku = "A-1", qty = 5 } } });
        Assert.Equal(HttpStatusCode.BadRequest, tooMuch);

        var (_, rest) = await sandbox.ChangeOrderAsync(id, "ship", new { items = new[] { new { order_item_id = Item(partly, "A-1").GetProperty("item_id").GetInt64(), qty = 2 } } });
        Assert.Equal("complete/complete", StateOf(rest));
        Assert.Equal(3m, Item(rest, "A-1").Decimal("qty_shipped"));

        var (again, problem) = await sandbox.ChangeOrderAsync(id, "ship");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("The order does not allow a shipment to be created.", problem.Text("title"));
    }

    [Fact]
    public async Task A_partial_refund_of_an_unshipped_order_leaves_it_processing_with_less_to_ship()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var order = await sandbox.CreateOrderAsync(TwoLines);
        var id = order.EntityId();
        await sandbox.ChangeOrderAsync(id, "invoice");

        var (status, refunded) = await sandbox.ChangeOrderAsync(id, "refund", new { items = new[] { new { sku = "A-1", qty = 1 } } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("processing/processing", StateOf(refunded));
        Assert.Equal(1m, Item(refunded, "A-1").Decimal("qty_refunded"));
        Assert.Equal(20m, Item(refunded, "A-1").Decimal("amount_refunded"));
        Assert.Equal(20m + 3.8m, refunded.Decimal("total_refunded"));
        Assert.False(refunded.TryGetProperty("shipping_refunded", out var shipping) && shipping.GetDecimal() != 0, "a line refund leaves the shipping");

        var (_, shipped) = await sandbox.ChangeOrderAsync(id, "ship");
        Assert.Equal("complete/complete", StateOf(shipped));
        Assert.Equal(1m, Item(shipped, "A-1").Decimal("qty_shipped"));

        var (_, closed) = await sandbox.ChangeOrderAsync(id, "refund");
        Assert.Equal("closed/closed", StateOf(closed));
        Assert.Equal(65.45m, closed.Decimal("total_refunded"));
        Assert.Equal(2m, Item(closed, "A-1").Decimal("qty_refunded"));
        var (_, memos) = await sandbox.MagentoGetAsync("creditmemos?searchCriteria");
        Assert.Equal(2, memos.GetProperty("total_count").GetInt32());
        Assert.Equal(65.45m, memos.GetProperty("items").EnumerateArray().Sum(memo => memo.Decimal("grand_total")));
    }

    [Fact]
    public async Task Refunds_are_bounded_as_in_magento()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var pending = await sandbox.CreateOrderAsync(TwoLines);
        var (uninvoiced, problem) = await sandbox.ChangeOrderAsync(pending.EntityId(), "refund");
        Assert.Equal(HttpStatusCode.Conflict, uninvoiced);
        Assert.Equal("The order does not allow a creditmemo to be created.", problem.Text("title"));

        await sandbox.ChangeOrderAsync(pending.EntityId(), "invoice");
        var (tooMany, _) = await sandbox.ChangeOrderAsync(pending.EntityId(), "refund", new { items = new[] { new { sku = "A-1", qty = 3 } } });
        var (tooMuchShipping, shippingProblem) = await sandbox.ChangeOrderAsync(pending.EntityId(), "refund", new { shipping_amount = 6, items = new[] { new { sku = "B-1", qty = 1 } } });
        var (tooMuchMoney, moneyProblem) = await sandbox.ChangeOrderAsync(pending.EntityId(), "refund", new { adjustment_positive = 100 });

        Assert.Equal(HttpStatusCode.BadRequest, tooMany);
        Assert.Equal(HttpStatusCode.BadRequest, tooMuchShipping);
        Assert.StartsWith("Maximum shipping amount allowed to refund is: 5", shippingProblem.Text("title"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tooMuchMoney);
        Assert.StartsWith("The most money available to refund is 65.45", moneyProblem.Text("title"), StringComparison.Ordinal);
        Assert.Equal("processing", (await sandbox.OrderAsync(pending.EntityId())).Text("state"));
    }

    [Fact]
    public async Task Cancel_is_allowed_until_everything_is_invoiced_and_cancels_what_is_left()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var open = await sandbox.CreateOrderAsync(TwoLines);
        var partlyShipped = await sandbox.CreateOrderAsync(TwoLines);
        var paid = await sandbox.CreateOrderAsync(TwoLines);
        await sandbox.ChangeOrderAsync(paid.EntityId(), "invoice");
        await sandbox.ChangeOrderAsync(partlyShipped.EntityId(), "ship", new { items = new[] { new { sku = "A-1", qty = 1 } } });

        var (_, canceled) = await sandbox.ChangeOrderAsync(open.EntityId(), "cancel");
        var (_, canceledAfterShipping) = await sandbox.ChangeOrderAsync(partlyShipped.EntityId(), "cancel");
        var (again, _) = await sandbox.ChangeOrderAsync(open.EntityId(), "cancel");
        var (invoiced, _) = await sandbox.ChangeOrderAsync(paid.EntityId(), "cancel");

        Assert.Equal("canceled/canceled", StateOf(canceled));
        Assert.Equal(2m, Item(canceled, "A-1").Decimal("qty_canceled"));
        Assert.Equal(65.45m, canceled.Decimal("total_canceled"));
        Assert.Equal("canceled/canceled", StateOf(canceledAfterShipping));
        Assert.Equal(1m, Item(canceledAfterShipping, "A-1").Decimal("qty_canceled"));
        Assert.Equal(1m, Item(canceledAfterShipping, "B-1").Decimal("qty_canceled"));
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal(HttpStatusCode.Conflict, invoiced);
        var (invoiceCanceled, _) = await sandbox.ChangeOrderAsync(open.EntityId(), "invoice");
        Assert.Equal(HttpStatusCode.Conflict, invoiceCanceled);
    }

    [Fact]
    public async Task Shipping_before_invoicing_moves_the_order_to_processing_and_invoicing_then_completes_it()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var order = await sandbox.CreateOrderAsync(TwoLines);

        var (_, shipped) = await sandbox.ChangeOrderAsync(order.EntityId(), "ship");
        var (_, invoiced) = await sandbox.ChangeOrderAsync(order.EntityId(), "invoice");

        Assert.Equal("processing/processing", StateOf(shipped));
        Assert.Equal("complete/complete", StateOf(invoiced));
    }

    [Fact]
    public async Task A_configurable_child_follows_its_parent_and_cannot_be_shipped_on_its_own()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var order = await sandbox.CreateOrderAsync(new { invoice = true, items = new[] { new { sku = "WS03-XS-Red", qty = 2 } } });
        var child = order.GetProperty("items")[1];

        var (refused, _) = await sandbox.ChangeOrderAsync(order.EntityId(), "ship", new { items = new[] { new { order_item_id = child.GetProperty("item_id").GetInt64(), qty = 1 } } });
        var (_, shipped) = await sandbox.ChangeOrderAsync(order.EntityId(), "ship", new { items = new[] { new { sku = "WS03-XS-Red", qty = 1 } } });

        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Equal(1m, shipped.GetProperty("items")[0].Decimal("qty_shipped"));
        Assert.Equal(1m, shipped.GetProperty("items")[1].Decimal("qty_shipped"));
        Assert.Equal(2m, shipped.Decimal("total_qty_ordered"));
    }

    [Fact]
    public async Task Changing_an_unknown_order_is_404()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, _) = await sandbox.ChangeOrderAsync(77, "cancel");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Concurrent_changes_to_many_orders_lose_nothing()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var ids = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            ids.Add((await sandbox.CreateOrderAsync(new { invoice = true, items = new[] { new { sku = "A-1", qty = 4, price = 5 } } })).EntityId());
        }

        await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, 4).Select(_ =>
            sandbox.ChangeOrderAsync(id, "ship", new { items = new[] { new { sku = "A-1", qty = 1 } } }))));

        foreach (var id in ids)
        {
            var order = await sandbox.OrderAsync(id);
            Assert.Equal("complete", order.Text("state"));
            Assert.Equal(4m, Item(order, "A-1").Decimal("qty_shipped"));
        }

        var (_, shipments) = await sandbox.MagentoGetAsync("shipments?searchCriteria[pageSize]=1");
        Assert.Equal(160, shipments.GetProperty("total_count").GetInt32());
    }
}
