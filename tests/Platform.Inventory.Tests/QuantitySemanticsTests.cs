using Platform.Inventory.Domain;
using static Platform.Inventory.Tests.Stock;

namespace Platform.Inventory.Tests;

/// <summary>
/// What a source's figure means and what each storefront must be told. One timeline for every case, all at "berlin"
/// with a safety stock of 2; the source measures its second figure (20) at minute 5:
/// <list type="bullet">
/// <item>A: 3 open, exported at minute 1 (before the measurement).</item>
/// <item>B: 2 open, exported at minute 7 (after the measurement).</item>
/// <item>C: 4 open, never exported.</item>
/// <item>D: 5 ordered, exported at minute 1; 2 shipped at minute 3 (before the measurement), 1 at minute 8 (after); 2 open.</item>
/// <item>E: 1 ordered, exported at minute 1, all shipped at minute 9 (after the measurement).</item>
/// </list>
/// Shipped after the measurement: 1 (D) + 1 (E) = 2. Reserved now: 3 + 2 + 4 + 2 = 11.
/// Allocated by the source when it measured (exported by minute 5, open or shipped after minute 5): A 3 + D 2 + 1 + E 1 = 7.
/// </summary>
public sealed class QuantitySemanticsTests
{
    private const string Berlin = "berlin";
    private const decimal Reported = 20;
    private const decimal OpenReserved = 11;
    private static readonly TestThresholds Policy = new() { DefaultSafetyStock = 2 };

    private static SkuStock Timeline(SourceReports reports)
    {
        var stock = Sku();
        stock.MustApply(Snapshot(Berlin, 100, sequence: 1, measuredAtMinute: 0, reports: reports), Policy);
        stock.SetDemand("A", "1", 3, Policy);
        stock.SetDemand("B", "1", 2, Policy);
        stock.SetDemand("C", "1", 4, Policy);
        stock.SetDemand("D", "1", 5, Policy);
        stock.SetDemand("E", "1", 1, Policy);
        stock.MarkExported("A", At(1));
        stock.MarkExported("D", At(1));
        stock.MarkExported("E", At(1));
        stock.MarkExported("B", At(7));
        stock.Settle("D", "1", 2, At(3), Policy, Berlin);
        stock.Settle("D", "1", 1, At(8), Policy, Berlin);
        stock.Settle("E", "1", 1, At(9), Policy, Berlin);
        stock.MustApply(Snapshot(Berlin, Reported, sequence: 2, measuredAtMinute: 5, reports: reports), Policy);
        Assert.Equal(OpenReserved, stock.Reserved(Berlin));
        return stock;
    }

    [Theory]
    // Physical: 20 reported - 2 shipped after the measurement = 18.
    [InlineData(SourceReports.Physical, TargetExpects.PhysicalLessOwnReservations, 18, 16)]
    [InlineData(SourceReports.Physical, TargetExpects.Net, 18, 5)]
    // Available: 20 + 7 allocated when measured - 2 shipped after = 25.
    [InlineData(SourceReports.Available, TargetExpects.PhysicalLessOwnReservations, 25, 23)]
    [InlineData(SourceReports.Available, TargetExpects.Net, 25, 12)]
    public void Each_source_and_target_pair_gets_its_own_figure(SourceReports reports, TargetExpects expects, decimal physical, decimal figure)
    {
        var stock = Timeline(reports);

        Assert.Equal(physical, stock.Physical(Berlin));
        var target = stock.ForTarget(expects, Berlin, Policy);
        Assert.Equal(figure, target.Quantity);
        Assert.True(target.InStock);

        // Magento gets physical less safety stock; a net target gets what may still be sold.
        var expected = expects == TargetExpects.PhysicalLessOwnReservations
            ? Math.Max(0, physical - 2)
            : Math.Max(0, physical - OpenReserved - 2);
        Assert.Equal(expected, figure);
        Assert.Equal(Math.Max(0, physical - OpenReserved - 2), stock.Salable(Berlin, Policy));
    }

    [Theory]
    [InlineData(SourceReports.Physical)]
    [InlineData(SourceReports.Available)]
    public void A_target_that_subtracts_its_own_reservations_must_not_be_given_the_net_figure(SourceReports reports)
    {
        var stock = Timeline(reports);
        var salable = stock.Salable(Berlin, Policy);
        var magentoOwnReservations = OpenReserved;

        var magento = stock.ForTarget(TargetExpects.PhysicalLessOwnReservations, Berlin, Policy).Quantity;
        var net = stock.ForTarget(TargetExpects.Net, Berlin, Policy).Quantity;

        // What the storefront shows after subtracting its own reservations is the platform's salable...
        Assert.Equal(salable, magento - magentoOwnReservations);
        // ...while the net figure would have every open order subtracted a second time.
        Assert.Equal(salable - OpenReserved, net - magentoOwnReservations);
        Assert.NotEqual(salable, net - magentoOwnReservations);
    }

    [Theory]
    // The source measured 20 at minute 5. F (2, exported at minute 1) shipped at minute 4, but the platform hears of it
    // only after applying the figure: a physical figure already lacks the goods, an available one never held them.
    [InlineData(SourceReports.Physical, 20, 20)]
    [InlineData(SourceReports.Available, 22, 20)]
    public void A_shipment_heard_of_after_a_figure_measured_later_is_not_deducted_again(SourceReports reports, decimal physicalBefore, decimal physicalAfter)
    {
        var stock = Sku();
        stock.MustApply(Snapshot(Berlin, 100, sequence: 1, measuredAtMinute: 0, reports: reports), Policy);
        stock.SetDemand("F", "1", 2, Policy);
        stock.MarkExported("F", At(1));
        stock.MustApply(Snapshot(Berlin, 20, sequence: 2, measuredAtMinute: 5, reports: reports), Policy);
        Assert.Equal(physicalBefore, stock.Physical(Berlin));

        stock.Settle("F", "1", 2, At(4), Policy, Berlin);

        Assert.Equal(physicalAfter, stock.Physical(Berlin));
        Assert.Equal(0, stock.Reserved(Berlin));
        Assert.Empty(stock.Reservations);
        Assert.Equal(physicalAfter - 2, stock.Salable(Berlin, Policy));
    }

    [Theory]
    // A ships 2 at minute 10. Physical: 18 - 2. Available: 20 + (A 1 open + 2 shipped, D 3, E 1) - (D 1 + E 1 + A 2).
    // Then the source measures 30 at minute 11, after every shipment: physical 30; available 30 + what it now holds
    // for the exported orders still open (A 1, B 2, D 2).
    [InlineData(SourceReports.Physical, 16, 30)]
    [InlineData(SourceReports.Available, 23, 35)]
    public void A_shipment_after_the_measurement_lowers_physical_until_the_source_measures_after_it(SourceReports reports, decimal afterShipment, decimal afterNextReport)
    {
        var stock = Timeline(reports);

        stock.Settle("A", "1", 2, At(10), Policy, Berlin);

        Assert.Equal(afterShipment, stock.Physical(Berlin));
        Assert.Equal(OpenReserved - 2, stock.Reserved(Berlin));
        Assert.Equal(afterShipment - (OpenReserved - 2) - 2, stock.Salable(Berlin, Policy));

        stock.MustApply(Snapshot(Berlin, 30, sequence: 3, measuredAtMinute: 11, reports: reports), Policy);

        Assert.Equal(afterNextReport, stock.Physical(Berlin));
        Assert.Empty(stock.Reservations.Values.SelectMany(r => r.Settlements));
        Assert.False(stock.Reservations.ContainsKey(SkuStock.ReservationKey("E", "1")));
    }

    [Fact]
    public void An_export_heard_of_after_a_figure_measured_later_raises_physical_and_a_later_export_does_not()
    {
        var stock = Timeline(SourceReports.Available);

        // C was exported at minute 4, before the measurement at minute 5: the figure was net of its 4.
        stock.MarkExported("C", At(4));
        Assert.Equal(29, stock.Physical(Berlin));
        Assert.Equal(16, stock.Salable(Berlin, Policy));

        var physical = Timeline(SourceReports.Physical);
        physical.MarkExported("C", At(4));
        Assert.Equal(18, physical.Physical(Berlin));

        var later = Timeline(SourceReports.Available);
        later.MarkExported("C", At(6));
        Assert.Equal(25, later.Physical(Berlin));
    }

    [Fact]
    public void Cancelling_an_exported_order_stops_counting_what_the_source_held_for_it()
    {
        var stock = Timeline(SourceReports.Available);

        // The source lets go of A's 3 when it hears of the cancellation; until it measures again the platform
        // counts neither the hold nor the reservation, so nothing more becomes salable than before.
        stock.SetDemand("A", "1", 0, Policy);

        Assert.Equal(22, stock.Physical(Berlin));
        Assert.Equal(OpenReserved - 3, stock.Reserved(Berlin));
        Assert.Equal(12, stock.Salable(Berlin, Policy));
        Assert.False(stock.Reservations.ContainsKey(SkuStock.ReservationKey("A", "1")));
    }

    [Fact]
    public void Covering_an_exported_backorder_at_an_available_source_creates_no_stock()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot(Berlin, 0, sequence: 1, measuredAtMinute: 0, reports: SourceReports.Available), policy);
        stock.SetDemand("A", "1", 5, policy);
        stock.MarkExported("A", At(1));
        Assert.Equal(5, stock.Backordered);

        // The source has 2 free after its own allocations; the platform held nothing for A there when it measured.
        var outcome = stock.MustApply(Snapshot(Berlin, 2, sequence: 2, measuredAtMinute: 5, reports: SourceReports.Available), policy);

        Assert.Equal(2, outcome.Moves.Where(m => m.Kind == ReservationMoveKind.Reserved).Sum(m => m.Quantity));
        Assert.Equal(2, stock.Physical(Berlin));
        Assert.Equal(2, stock.Reserved(Berlin));
        Assert.Equal(0, stock.Salable(Berlin, policy));

        // Nothing is left to sell: a later order waits instead of being promised goods that are not there.
        stock.SetDemand("B", "1", 2, policy);
        Assert.Equal(2, stock.Backordered("B", "1"));
        Assert.Equal(2, stock.Physical(Berlin));
        Assert.Equal(0, stock.Salable(Berlin, policy));
    }

    [Fact]
    public void Moving_an_exported_reservation_off_an_available_source_does_not_change_what_is_there()
    {
        var policy = new TestThresholds { DefaultSafetyStock = 2 };
        var stock = Sku();
        stock.MustApply(Snapshot(Berlin, 10, sequence: 1, measuredAtMinute: 0, reports: SourceReports.Available), policy);
        stock.MustApply(Snapshot("hamburg", 10, sequence: 1, measuredAtMinute: 0, source: "wms"), policy);
        stock.SetDemand("A", "1", 5, policy);
        Assert.Equal(5, stock.Allocated("A", "1", Berlin));
        stock.MarkExported("A", At(1));

        // The source holds the 5 for A and has nothing else: 5 on the shelf, of which 2 are safety stock.
        stock.MustApply(Snapshot(Berlin, 0, sequence: 2, measuredAtMinute: 5, reports: SourceReports.Available), policy);

        Assert.Equal(5, stock.Physical(Berlin));
        Assert.Equal(3, stock.Reserved(Berlin));
        Assert.Equal(2, stock.Allocated("A", "1", "hamburg"));
        Assert.True(stock.Reserved(Berlin) <= stock.Physical(Berlin) - policy.SafetyStock("SKU-1", Berlin));
        Assert.Equal(6, stock.Salable("hamburg", policy));
    }

    [Fact]
    public void An_export_heard_of_after_an_available_source_measured_covers_waiting_demand_at_once()
    {
        var policy = new TestThresholds();
        var stock = Sku();
        stock.MustApply(Snapshot(Berlin, 5, sequence: 1, measuredAtMinute: 5, reports: SourceReports.Available), policy);
        stock.SetDemand("Y", "1", 3, policy);
        stock.SetDemand("Z", "1", 4, policy);
        Assert.Equal(2m, stock.Backordered("Z", "1"));

        // Y was exported at minute 1, so the source's 5 was already net of Y's 3: 8 are on the shelf, 3 more salable.
        Assert.True(stock.MarkExported("Y", At(1)));
        Assert.Equal(8m, stock.Physical(Berlin));
        var moves = stock.CoverBackorders(policy);

        Assert.Equal(0m, stock.Backordered("Z", "1"));
        Assert.Equal(4m, stock.Allocated("Z", "1", Berlin));
        Assert.Equal(1m, stock.Salable(Berlin, policy));
        Assert.Equal(2m, Assert.Single(moves).Quantity);
    }
}
