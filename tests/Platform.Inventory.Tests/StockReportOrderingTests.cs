using Platform.Inventory.Domain;
using static Platform.Inventory.Tests.Stock;

namespace Platform.Inventory.Tests;

public sealed class StockReportOrderingTests
{
    private static readonly TestThresholds NoSafety = new();

    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    [InlineData(0)]
    public void An_absolute_report_not_above_the_last_sequence_is_stale_and_changes_nothing(long staleSequence)
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, sequence: 5), NoSafety);
        var version = stock.Version;

        var outcome = stock.Apply(Snapshot("berlin", 50, staleSequence, measuredAtMinute: 30), NoSafety);

        Assert.Equal(ReportOutcomeKind.Stale, outcome.Kind);
        Assert.Equal(5, outcome.LastSequence);
        Assert.Empty(outcome.Moves);
        Assert.Equal(10, stock.Physical("berlin"));
        Assert.Equal(5, stock.Locations["berlin"].Sequence);
        Assert.Equal(At(0), stock.Locations["berlin"].AsOf);
        Assert.Equal(version, stock.Version);
    }

    [Fact]
    public void A_delta_not_above_the_last_sequence_is_stale_and_is_not_added()
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, sequence: 5), NoSafety);

        Assert.Equal(ReportOutcomeKind.Stale, stock.Apply(Delta("berlin", 7, sequence: 3), NoSafety).Kind);
        Assert.Equal(ReportOutcomeKind.Stale, stock.Apply(Delta("berlin", -4, sequence: 5), NoSafety).Kind);
        Assert.Equal(10, stock.Physical("berlin"));

        stock.MustApply(Delta("berlin", -4, sequence: 6), NoSafety);
        stock.MustApply(Delta("berlin", 7, sequence: 7), NoSafety);
        Assert.Equal(13, stock.Physical("berlin"));
    }

    [Fact]
    public void A_duplicate_report_is_stale_even_with_the_same_figure()
    {
        var stock = Sku();
        var report = Delta("berlin", 3, sequence: 9);
        stock.MustApply(report, NoSafety);
        var version = stock.Version;

        var again = stock.Apply(report, NoSafety);

        Assert.Equal(ReportOutcomeKind.Stale, again.Kind);
        Assert.Equal(9, again.LastSequence);
        Assert.Equal(3, stock.Physical("berlin"));
        Assert.Equal(version, stock.Version);
    }

    [Fact]
    public void Sequences_are_kept_per_location()
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, sequence: 100), NoSafety);

        stock.MustApply(Snapshot("hamburg", 4, sequence: 1), NoSafety);

        Assert.Equal(10, stock.Physical("berlin"));
        Assert.Equal(4, stock.Physical("hamburg"));
    }

    [Fact]
    public void Shuffled_absolute_reports_end_at_the_figure_of_the_highest_sequence()
    {
        var random = new Random(20250301);
        for (var round = 0; round < 300; round++)
        {
            var count = random.Next(2, 40);
            var figures = Enumerable.Range(1, count).ToDictionary(sequence => (long)sequence, _ => (decimal)random.Next(0, 1000));
            var order = figures.Keys.OrderBy(_ => random.Next()).ToList();
            var stock = Sku();
            var highestSoFar = 0L;

            foreach (var sequence in order)
            {
                var outcome = stock.Apply(Snapshot("berlin", figures[sequence], sequence, measuredAtMinute: (int)sequence), NoSafety);

                // A report wins exactly when it is newer than every report seen before it.
                Assert.Equal(sequence > highestSoFar ? ReportOutcomeKind.Applied : ReportOutcomeKind.Stale, outcome.Kind);
                highestSoFar = Math.Max(highestSoFar, sequence);
                Assert.Equal(figures[highestSoFar], stock.Physical("berlin"));
            }

            Assert.Equal(figures[count], stock.Physical("berlin"));
            Assert.Equal(count, stock.Locations["berlin"].Sequence);
        }
    }

    [Fact]
    public void A_report_from_another_source_for_a_location_already_fed_is_invalid()
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, sequence: 5, source: "erp"), NoSafety);
        var version = stock.Version;

        var outcome = stock.Apply(Snapshot("berlin", 99, sequence: 500, source: "wms"), NoSafety);

        Assert.Equal(ReportOutcomeKind.Invalid, outcome.Kind);
        Assert.Contains("erp", outcome.Reason);
        Assert.Equal(10, stock.Physical("berlin"));
        Assert.Equal("erp", stock.Locations["berlin"].Source);
        Assert.Equal(5, stock.Locations["berlin"].Sequence);
        Assert.Equal(version, stock.Version);

        // The other source may feed another location of the same SKU.
        stock.MustApply(Snapshot("hamburg", 3, sequence: 1, source: "wms"), NoSafety);
        Assert.Equal(3, stock.Physical("hamburg"));
    }

    [Fact]
    public void A_negative_snapshot_is_invalid_but_a_negative_delta_is_a_change()
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, sequence: 1), NoSafety);

        var negative = stock.Apply(Snapshot("berlin", -1, sequence: 2), NoSafety);

        Assert.Equal(ReportOutcomeKind.Invalid, negative.Kind);
        Assert.Equal(10, stock.Physical("berlin"));
        Assert.Equal(1, stock.Locations["berlin"].Sequence);

        stock.MustApply(Delta("berlin", -3, sequence: 2), NoSafety);
        Assert.Equal(7, stock.Physical("berlin"));
    }

    [Fact]
    public void A_negative_snapshot_for_a_new_location_creates_nothing()
    {
        var stock = Sku();

        Assert.Equal(ReportOutcomeKind.Invalid, stock.Apply(Snapshot("berlin", -5, sequence: 1), NoSafety).Kind);

        Assert.Empty(stock.Locations);
        Assert.Equal(0, stock.Version);
    }
}
