using Platform.Order.Domain;

namespace Platform.Order.Tests;

public sealed class OrderDeciderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static StorefrontOrder Snapshot(int minutes = 0, decimal shipped = 0, decimal refunded = 0, decimal refundedAmount = 0, bool cancelled = false, bool invoiced = false, decimal qty = 2, string? customer = "c-1") =>
        new("default", "000000123", customer, "EUR",
            [new OrderLine("1", "SKU-1", qty, shipped, 0, refunded, 10m, 0m, 1.9m, qty * 10m), new OrderLine("2", "SKU-2", 1, 0, 0, 0, 5m, 0m, 0.95m, 5m)],
            new OrderTotals(qty * 10m + 5m, 4.9m, 0m, 2.85m, qty * 10m + 9.9m, refundedAmount), "DE", "BE", T0, T0.AddMinutes(minutes), cancelled, invoiced);

    private static OrderRecord Exported(StorefrontOrder snapshot)
    {
        var placed = OrderDecider.Apply(null, snapshot).Record!;
        return OrderDecider.Export(placed, placed.Revision, "SO-1").Record!;
    }

    [Fact]
    public void A_new_order_is_placed_at_revision_one_and_awaits_export()
    {
        var decision = OrderDecider.Apply(null, Snapshot());

        Assert.Equal(OrderDecisionKind.Applied, decision.Kind);
        Assert.IsType<OrderChange.Placed>(Assert.Single(decision.Changes));
        Assert.Equal(OrderStatus.Placed, decision.Record!.Status);
        Assert.Equal(1, decision.Record.Revision);
        Assert.True(decision.Record.AwaitsExport);
        Assert.Equal("default-000000123:1", decision.Record.ExportKey);
    }

    [Fact]
    public void A_guest_order_flows_like_any_other()
    {
        var decision = OrderDecider.Apply(null, Snapshot(customer: null));
        Assert.True(decision.Record!.Snapshot.IsGuest);
        Assert.Equal(OrderStatus.Placed, decision.Record.Status);
    }

    [Fact]
    public void The_same_snapshot_twice_changes_nothing_and_an_older_one_is_stale()
    {
        var record = OrderDecider.Apply(null, Snapshot(minutes: 5)).Record!;
        Assert.Equal(OrderDecisionKind.Unchanged, OrderDecider.Apply(record, Snapshot(minutes: 5)).Kind);
        Assert.Equal(OrderDecisionKind.Stale, OrderDecider.Apply(record, Snapshot(minutes: 1, cancelled: true)).Kind);
    }

    [Fact]
    public void An_edit_after_placement_is_a_new_revision_with_a_new_export_key()
    {
        var exported = Exported(Snapshot());
        var decision = OrderDecider.Apply(exported, Snapshot(minutes: 3, qty: 3));

        Assert.IsType<OrderChange.Revised>(Assert.Single(decision.Changes));
        Assert.Equal(2, decision.Record!.Revision);
        Assert.Equal(OrderStatus.Placed, decision.Record.Status);
        Assert.True(decision.Record.AwaitsExport);
        Assert.Equal("default-000000123:2", decision.Record.ExportKey);
    }

    [Fact]
    public void Shipments_apply_only_the_difference_so_a_repeated_snapshot_never_ships_twice()
    {
        var exported = Exported(Snapshot());
        var partial = OrderDecider.Apply(exported, Snapshot(minutes: 1, shipped: 1));
        var shipped = Assert.IsType<OrderChange.Shipped>(Assert.Single(partial.Changes));
        Assert.False(shipped.Fully);
        Assert.Equal(OrderStatus.PartiallyShipped, partial.Record!.Status);

        var again = OrderDecider.Apply(partial.Record, Snapshot(minutes: 1, shipped: 1));
        Assert.Equal(OrderDecisionKind.Unchanged, again.Kind);
    }

    [Fact]
    public void Refunds_after_shipping_are_partial_then_full()
    {
        var record = OrderDecider.Apply(Exported(Snapshot()), Snapshot(minutes: 1, shipped: 2)).Record!;
        var partial = OrderDecider.Apply(record, Snapshot(minutes: 2, shipped: 2, refunded: 1, refundedAmount: 10m));
        Assert.Equal(OrderStatus.PartiallyRefunded, partial.Record!.Status);
        Assert.Equal(10m, Assert.IsType<OrderChange.Refunded>(Assert.Single(partial.Changes)).Amount);

        var full = OrderDecider.Apply(partial.Record, Snapshot(minutes: 3, shipped: 2, refunded: 2, refundedAmount: 29.9m));
        Assert.Equal(OrderStatus.Refunded, full.Record!.Status);
        Assert.True(Assert.IsType<OrderChange.Refunded>(Assert.Single(full.Changes)).Fully);
    }

    [Fact]
    public void A_cancellation_releases_what_was_not_shipped()
    {
        var decision = OrderDecider.Apply(Exported(Snapshot()), Snapshot(minutes: 1, cancelled: true));
        var cancelled = Assert.IsType<OrderChange.Cancelled>(Assert.Single(decision.Changes));
        Assert.Equal(3m, cancelled.Lines.Sum(l => l.Quantity));
        Assert.Equal(OrderStatus.Cancelled, decision.Record!.Status);
    }

    [Fact]
    public void An_illegal_change_is_refused_and_reported_not_applied_silently()
    {
        var cancelled = OrderDecider.Apply(Exported(Snapshot()), Snapshot(minutes: 1, cancelled: true)).Record!;
        var decision = OrderDecider.Apply(cancelled, Snapshot(minutes: 2, cancelled: true, shipped: 1));

        var refused = Assert.Single(decision.Refused);
        Assert.Equal(OrderStatus.Cancelled, refused.From);
        Assert.Equal(OrderAction.ShipPartially, refused.Action);
        Assert.Empty(decision.Changes);
        Assert.Equal(OrderStatus.Cancelled, decision.Record!.Status);
    }

    [Fact]
    public void An_export_confirmation_is_applied_once_and_an_older_revision_does_not_move_the_state()
    {
        var placed = OrderDecider.Apply(null, Snapshot()).Record!;
        var exported = OrderDecider.Export(placed, 1, "SO-1");
        Assert.Equal(OrderStatus.Exported, exported.Record!.Status);
        Assert.Equal(OrderDecisionKind.Unchanged, OrderDecider.Export(exported.Record, 1, "SO-1").Kind);

        var revised = OrderDecider.Apply(exported.Record, Snapshot(minutes: 1, qty: 5)).Record!;
        var late = OrderDecider.Export(revised with { ExportedRevision = null }, 1, "SO-1");
        Assert.Equal(OrderStatus.Placed, late.Record!.Status);
        Assert.True(late.Record.AwaitsExport);
    }

    [Fact]
    public void Payment_captured_before_export_is_recorded_without_refusing_anything()
    {
        var placed = OrderDecider.Apply(null, Snapshot()).Record!;
        var decision = OrderDecider.Apply(placed, Snapshot(minutes: 1, invoiced: true));
        Assert.IsType<OrderChange.Invoiced>(Assert.Single(decision.Changes));
        Assert.Empty(decision.Refused);
        Assert.True(decision.Record!.Invoiced);
        Assert.Equal(OrderStatus.Placed, decision.Record.Status);
    }
}
