using Platform.Inventory.Domain;
using static Platform.Inventory.Tests.Stock;

namespace Platform.Inventory.Tests;

public sealed class ReservationTests
{
    [Fact]
    public void Reserving_takes_the_locations_with_most_salable_first()
    {
        var policy = new TestThresholds { DefaultSafetyStock = 2 };
        var stock = Sku();
        stock.MustApply(Snapshot("a", 10, 1), policy); // salable 8
        stock.MustApply(Snapshot("b", 30, 1), policy); // salable 28
        stock.MustApply(Snapshot("c", 20, 1), policy); // salable 18

        var moves = stock.SetDemand("O1", "1", 40, policy);

        Assert.Equal(
            [new ReservationMove("O1", "1", "b", ReservationMoveKind.Reserved, 28), new ReservationMove("O1", "1", "c", ReservationMoveKind.Reserved, 12)],
            moves);
        Assert.Equal(0, stock.Reserved("a"));
        Assert.Equal(0, stock.Backordered);
        Assert.Equal(8 + 0 + 6, stock.TotalSalable(policy));
    }

    [Fact]
    public void Reserving_never_goes_into_safety_stock_and_backorders_the_rest()
    {
        var policy = new TestThresholds { DefaultSafetyStock = 3 };
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, 1), policy);

        var moves = stock.SetDemand("O1", "1", 10, policy);

        Assert.Equal([new ReservationMove("O1", "1", "berlin", ReservationMoveKind.Reserved, 7)], moves);
        Assert.Equal(7, stock.Reserved("berlin"));
        Assert.Equal(3, stock.Backordered("O1", "1"));
        Assert.Equal(0, stock.Salable("berlin", policy));
        Assert.Equal(SkuStatus.OutOfStock, stock.Status(policy));
    }

    [Fact]
    public void Backorders_are_filled_first_come_first_served_when_a_higher_figure_arrives()
    {
        var policy = new TestThresholds { DefaultSafetyStock = 2 };
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 2, 1), policy);
        stock.SetDemand("first", "1", 3, policy);
        stock.SetDemand("second", "1", 4, policy);
        stock.SetDemand("third", "1", 1, policy);
        Assert.Equal(8, stock.Backordered);

        var outcome = stock.MustApply(Snapshot("berlin", 7, 2), policy);

        Assert.Equal(
            [new ReservationMove("first", "1", "berlin", ReservationMoveKind.Reserved, 3), new ReservationMove("second", "1", "berlin", ReservationMoveKind.Reserved, 2)],
            outcome.Moves);
        Assert.Equal(0, stock.Backordered("first", "1"));
        Assert.Equal(2, stock.Backordered("second", "1"));
        Assert.Equal(1, stock.Backordered("third", "1"));
        Assert.Equal(0, stock.Salable("berlin", policy));
    }

    [Fact]
    public void A_backorder_is_filled_from_what_another_order_releases()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 5, 1), policy);
        stock.SetDemand("early", "1", 5, policy);
        stock.SetDemand("waiting", "1", 3, policy);
        stock.SetDemand("later", "1", 2, policy);

        var moves = stock.SetDemand("early", "1", 1, policy);

        Assert.Equal(
            [
                new ReservationMove("early", "1", "berlin", ReservationMoveKind.Released, 4),
                new ReservationMove("waiting", "1", "berlin", ReservationMoveKind.Reserved, 3),
                new ReservationMove("later", "1", "berlin", ReservationMoveKind.Reserved, 1),
            ],
            moves);
        Assert.Equal(1, stock.Backordered("later", "1"));
        Assert.Equal(5, stock.Reserved("berlin"));
    }

    [Fact]
    public void Lowering_the_demand_releases_the_backorder_before_what_is_reserved()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 4, 1), policy);
        stock.SetDemand("O1", "1", 6, policy);
        Assert.Equal(2, stock.Backordered("O1", "1"));

        Assert.Empty(stock.SetDemand("O1", "1", 5, policy));
        Assert.Equal(1, stock.Backordered("O1", "1"));
        Assert.Equal(4, stock.Reserved("berlin"));

        Assert.Equal([new ReservationMove("O1", "1", "berlin", ReservationMoveKind.Released, 3)], stock.SetDemand("O1", "1", 1, policy));
        Assert.Equal(0, stock.Backordered("O1", "1"));
        Assert.Equal(1, stock.Reserved("berlin"));
        Assert.Equal(3, stock.Salable("berlin", policy));
    }

    [Fact]
    public void Setting_the_demand_to_zero_releases_everything_and_forgets_the_line()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 4, 1), policy);
        stock.SetDemand("O1", "1", 3, policy);

        stock.SetDemand("O1", "1", 0, policy);

        Assert.Empty(stock.Reservations);
        Assert.Equal(4, stock.Salable("berlin", policy));
        Assert.Empty(stock.SetDemand("O1", "1", 0, policy));
    }

    [Fact]
    public void Setting_the_same_demand_again_changes_nothing()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 4, 1), policy);
        stock.SetDemand("O1", "1", 3, policy);
        var version = stock.Version;

        Assert.Empty(stock.SetDemand("O1", "1", 3, policy));

        Assert.Equal(version, stock.Version);
        Assert.Equal(3, stock.Reserved("berlin"));
    }

    [Fact]
    public void Reduce_lowers_the_demand_by_a_quantity_and_never_below_zero()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, 1), policy);
        stock.SetDemand("O1", "1", 6, policy);

        Assert.Equal([new ReservationMove("O1", "1", "berlin", ReservationMoveKind.Released, 2)], stock.Reduce("O1", "1", 2, policy));
        Assert.Equal(4, stock.Reserved("berlin"));

        stock.Reduce("O1", "1", 50, policy);
        Assert.Empty(stock.Reservations);
        Assert.Empty(stock.Reduce("unknown", "1", 1, policy));
        Assert.Throws<ArgumentOutOfRangeException>(() => stock.Reduce("O1", "1", -1, policy));
    }

    [Fact]
    public void Settling_turns_the_reservation_into_a_deduction_at_the_location_shipped_from()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("a", 10, 1), policy);
        stock.MustApply(Snapshot("b", 6, 1), policy);
        stock.SetDemand("O1", "1", 14, policy); // a 10, b 4
        Assert.Equal(10, stock.Allocated("O1", "1", "a"));
        Assert.Equal(4, stock.Allocated("O1", "1", "b"));

        var moves = stock.Settle("O1", "1", 3, At(10), policy, shippedFrom: "b");

        Assert.Equal([new ReservationMove("O1", "1", "b", ReservationMoveKind.Settled, 3)], moves);
        Assert.Equal(1, stock.Allocated("O1", "1", "b"));
        Assert.Equal(10, stock.Allocated("O1", "1", "a"));
        Assert.Equal(3, stock.Physical("b"));
        Assert.Equal(10, stock.Physical("a"));
        Assert.Equal(2, stock.Salable("b", policy));
        Assert.Equal(11, stock.Reservations[SkuStock.ReservationKey("O1", "1")].Demand);
    }

    [Fact]
    public void Settling_more_than_is_reserved_at_the_location_shipped_from_takes_the_rest_where_it_is_reserved()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("a", 10, 1), policy);
        stock.MustApply(Snapshot("b", 6, 1), policy);
        stock.SetDemand("O1", "1", 14, policy);

        var moves = stock.Settle("O1", "1", 6, At(10), policy, shippedFrom: "b");

        Assert.Equal(
            [new ReservationMove("O1", "1", "b", ReservationMoveKind.Settled, 4), new ReservationMove("O1", "1", "a", ReservationMoveKind.Settled, 2)],
            moves);
        Assert.Equal(8, stock.Reserved("a") + stock.Reserved("b"));
        Assert.Equal(2 + 8, stock.Physical("a") + stock.Physical("b"));
    }

    [Fact]
    public void The_deduction_of_a_shipment_lasts_until_the_source_measures_after_it()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, 1, measuredAtMinute: 0), policy);
        stock.SetDemand("O1", "1", 4, policy);
        stock.Settle("O1", "1", 4, At(10), policy, "berlin");
        Assert.Equal(6, stock.Physical("berlin"));
        Assert.Equal(0, stock.Reserved("berlin"));

        // Measured before the shipment: the goods were still there, so the deduction stays.
        stock.MustApply(Snapshot("berlin", 10, 2, measuredAtMinute: 9), policy);
        Assert.Equal(6, stock.Physical("berlin"));

        // Measured after it: the figure already lacks them.
        stock.MustApply(Snapshot("berlin", 6, 3, measuredAtMinute: 11), policy);
        Assert.Equal(6, stock.Physical("berlin"));
        Assert.Empty(stock.Reservations);
    }

    [Fact]
    public void Settling_shipped_goods_that_were_backordered_clears_the_backorder_without_a_deduction()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 2, 1), policy);
        stock.SetDemand("O1", "1", 5, policy);

        var moves = stock.Settle("O1", "1", 5, At(10), policy, "berlin");

        Assert.Equal(
            [new ReservationMove("O1", "1", "berlin", ReservationMoveKind.Settled, 2), new ReservationMove("O1", "1", "", ReservationMoveKind.Settled, 3)],
            moves);
        Assert.Equal(0, stock.Backordered);
        Assert.Equal(0, stock.Physical("berlin"));
    }

    [Fact]
    public void A_settle_for_a_line_not_held_changes_nothing()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 2, 1), policy);
        var version = stock.Version;

        Assert.Empty(stock.Settle("nobody", "1", 1, At(10), policy, "berlin"));
        Assert.Equal(version, stock.Version);
        Assert.Equal(2, stock.Physical("berlin"));
    }

    [Fact]
    public void A_lower_figure_moves_the_newest_reservations_to_other_locations_then_to_the_backorder()
    {
        var policy = new TestThresholds { DefaultSafetyStock = 1 };
        var stock = Sku();
        stock.MustApply(Snapshot("a", 11, 1), policy); // salable 10
        stock.MustApply(Snapshot("b", 4, 1), policy);  // salable 3
        stock.SetDemand("old", "1", 6, policy);        // a 6
        stock.SetDemand("new", "1", 4, policy);        // a 4 (a still has the most)
        Assert.Equal(10, stock.Reserved("a"));

        // a may hold 5 now. The newest reservations leave first (new 4, then old 1); the displaced are placed again
        // oldest first, so old gets its 1 at b before new takes the 2 that are left there and waits for 2.
        var outcome = stock.MustApply(Snapshot("a", 6, 2), policy);

        Assert.Equal(
            [
                new ReservationMove("new", "1", "a", ReservationMoveKind.Released, 4),
                new ReservationMove("old", "1", "a", ReservationMoveKind.Released, 1),
                new ReservationMove("old", "1", "b", ReservationMoveKind.Reserved, 1),
                new ReservationMove("new", "1", "b", ReservationMoveKind.Reserved, 2),
            ],
            outcome.Moves);
        Assert.Equal(5, stock.Allocated("old", "1", "a"));
        Assert.Equal(1, stock.Allocated("old", "1", "b"));
        Assert.Equal(2, stock.Allocated("new", "1", "b"));
        Assert.Equal(2, stock.Backordered("new", "1"));
        Assert.Equal(0, stock.Backordered("old", "1"));
        Assert.Equal(0, stock.TotalSalable(policy));
        Assert.Equal(6, stock.Reservations[SkuStock.ReservationKey("old", "1")].Demand);
        Assert.Equal(4, stock.Reservations[SkuStock.ReservationKey("new", "1")].Demand);
    }
}
