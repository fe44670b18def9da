using System.Globalization;
using System.Text.Json;
using Platform.Inventory.Domain;
using static Platform.Inventory.Tests.Stock;

namespace Platform.Inventory.Tests;

/// <summary>
/// Thousands of random operations on one SKU over three locations (two fed by a source reporting physical, one by a
/// source reporting available), with stale, invalid and delayed reports, late shipment notices and exports. After every
/// operation the aggregate must hold what <see cref="SkuStock"/> promises.
/// </summary>
public sealed class ReservationInvariantTests
{
    private static readonly string[] LocationNames = ["a", "b", "c"];
    private static readonly TestThresholds Policy = new() { DefaultSafetyStock = 1, ByLocation = { ["b"] = 0, ["c"] = 3 }, LowStock = 4 };

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    [InlineData(5, true)]
    [InlineData(6, true)]
    public void Every_operation_keeps_reservations_within_what_is_above_safety_stock(int seed, bool lateExports)
    {
        var random = new Random(seed);
        var stock = Sku();
        var demand = new Dictionary<(string Order, string Line), decimal>();
        var sequences = LocationNames.ToDictionary(l => l, _ => (long?)null);
        var lines = Enumerable.Range(1, 12).SelectMany(o => new[] { ($"O{o}", "1"), ($"O{o}", "2") }).ToArray();
        var log = new List<string>();

        for (var step = 0; step < 4000; step++)
        {
            var now = 10 + step;
            var (order, line) = lines[random.Next(lines.Length)];
            string operation;
            switch (random.Next(100))
            {
                case < 22:
                {
                    var location = LocationNames[random.Next(LocationNames.Length)];
                    var sequence = (sequences[location] ?? 0) + random.Next(-2, 4);
                    var quantity = random.Next(20) == 0 ? -1 : random.Next(0, 16);
                    var report = Report(location, ReportKind.Snapshot, quantity, sequence, now - random.Next(0, 4));
                    var outcome = stock.Apply(report, Policy);
                    AssertOutcome(outcome, sequence, sequences[location], quantity >= 0);
                    sequences[location] = outcome.Kind == ReportOutcomeKind.Applied ? sequence : sequences[location];
                    operation = $"snapshot {location} {quantity} #{sequence} -> {outcome.Kind}";
                    break;
                }

                case < 30:
                {
                    var location = LocationNames[random.Next(LocationNames.Length)];
                    var sequence = (sequences[location] ?? 0) + random.Next(-1, 3);
                    var quantity = random.Next(-4, 5);
                    var outcome = stock.Apply(Report(location, ReportKind.Adjustment, quantity, sequence, now - random.Next(0, 4)), Policy);
                    AssertOutcome(outcome, sequence, sequences[location], valid: true);
                    sequences[location] = outcome.Kind == ReportOutcomeKind.Applied ? sequence : sequences[location];
                    operation = $"delta {location} {quantity} #{sequence} -> {outcome.Kind}";
                    break;
                }

                case < 55:
                {
                    var quantity = random.Next(0, 9);
                    stock.SetDemand(order, line, quantity, Policy);
                    demand[(order, line)] = quantity;
                    operation = $"demand {order}/{line} {quantity}";
                    break;
                }

                case < 65:
                {
                    var quantity = random.Next(0, 5);
                    stock.Reduce(order, line, quantity, Policy);
                    demand[(order, line)] = Math.Max(0, demand.GetValueOrDefault((order, line)) - quantity);
                    operation = $"reduce {order}/{line} {quantity}";
                    break;
                }

                case < 85:
                {
                    var quantity = random.Next(1, 6);
                    var shippedFrom = random.Next(4) == 0 ? null : LocationNames[random.Next(LocationNames.Length)];
                    var shippedAt = now - random.Next(0, 5);
                    stock.Settle(order, line, quantity, At(shippedAt), Policy, shippedFrom);
                    demand[(order, line)] = Math.Max(0, demand.GetValueOrDefault((order, line)) - quantity);
                    operation = $"settle {order}/{line} {quantity} at {shippedAt} from {shippedFrom}";
                    break;
                }

                default:
                {
                    // Without late exports every export follows every measurement, so it never raises a figure.
                    var exportedAt = lateExports ? At(now - random.Next(0, 5)) : At(now).AddSeconds(30);
                    stock.MarkExported(order, exportedAt);
                    operation = $"export {order} at {exportedAt:HH:mm:ss}";
                    break;
                }
            }

            log.Add(operation);
            AssertInvariants(stock, demand, checkBackordersWaitOnlyWhenNothingIsSalable: !lateExports, () => string.Join("\n", log.TakeLast(15)));
        }
    }

    private static StockReport Report(string location, ReportKind kind, decimal quantity, long sequence, int measuredAt) =>
        location == "c"
            ? new StockReport("store", SourceReports.Available, location, kind, quantity, sequence, At(measuredAt), At(measuredAt))
            : new StockReport("erp", SourceReports.Physical, location, kind, quantity, sequence, At(measuredAt), At(measuredAt));

    private static void AssertOutcome(ReportOutcome outcome, long sequence, long? last, bool valid)
    {
        var expected = !valid ? ReportOutcomeKind.Invalid : last is null || sequence > last ? ReportOutcomeKind.Applied : ReportOutcomeKind.Stale;
        Assert.Equal(expected, outcome.Kind);
    }

    private static void AssertInvariants(SkuStock stock, Dictionary<(string Order, string Line), decimal> demand, bool checkBackordersWaitOnlyWhenNothingIsSalable, Func<string> history)
    {
        foreach (var location in stock.Locations.Keys)
        {
            var physical = stock.Physical(location);
            var reserved = stock.Reserved(location);
            var safety = Policy.SafetyStock(stock.Sku, location);
            var salable = stock.Salable(location, Policy);
            Check(reserved >= 0, $"reserved at {location} is {reserved}");
            Check(reserved <= Math.Max(0, physical - safety), $"reserved {reserved} at {location} exceeds physical {physical} less safety {safety}");
            Check(salable >= 0, $"salable at {location} is {salable}");
            Check(salable == Math.Max(0, physical - reserved - safety), $"salable at {location} is {salable}, physical {physical}, reserved {reserved}");
        }

        foreach (var ((order, line), wanted) in demand)
        {
            var key = SkuStock.ReservationKey(order, line);
            var open = stock.Reservations.TryGetValue(key, out var reservation) ? reservation.Open : 0;
            var backordered = reservation?.Backordered ?? 0;
            Check(open + backordered == wanted, $"{key}: open {open} + backordered {backordered} is not its demand {wanted}");
            Check(backordered >= 0, $"{key}: backordered {backordered}");
        }

        foreach (var (key, reservation) in stock.Reservations)
        {
            Check(demand.ContainsKey((reservation.OrderId, reservation.LineId)), $"{key} was never asked for");
            Check(reservation.Allocated.All(a => a.Value > 0 && stock.Locations.ContainsKey(a.Key)), $"{key} holds an empty or unknown allocation");
            Check(reservation.Demand > 0 || reservation.Settlements.Count > 0 || reservation.HeldBySource.Count > 0, $"{key} holds nothing and is kept");
            Check(reservation.Settlements.All(s => s.At > stock.Locations[s.Location].AsOf), $"{key} keeps a shipment its source has measured after");
        }

        if (checkBackordersWaitOnlyWhenNothingIsSalable && stock.Backordered > 0)
        {
            Check(stock.TotalSalable(Policy) == 0, $"{stock.Backordered} backordered while {stock.TotalSalable(Policy)} is salable");
        }

        void Check(bool condition, string problem)
        {
            if (!condition)
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"{problem}\nafter:\n{history()}\nstate: {JsonSerializer.Serialize(stock)}"));
            }
        }
    }
}
