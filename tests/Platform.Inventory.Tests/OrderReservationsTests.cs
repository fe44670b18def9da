using Platform.Contracts.Inventory.V1;
using Platform.Inventory.Domain;
using Platform.Inventory.Infrastructure;
using Platform.State;

namespace Platform.Inventory.Tests;

public sealed class OrderReservationsTests
{
    private const string Sku = "SKU-1";
    private const string Berlin = "berlin";
    private static readonly DateTimeOffset AnHourAgo = DateTimeOffset.UtcNow.AddHours(-1);

    [Fact]
    public async Task An_order_placed_twice_with_the_same_version_reserves_once()
    {
        using var inventory = new InventoryHarness(safetyStock: 2);
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);

        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 3));
        var afterFirst = await inventory.StockAsync(Sku);
        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 3));

        var stock = await inventory.StockAsync(Sku);
        Assert.Equal(3, stock.Reserved(Berlin));
        Assert.Equal(afterFirst.Version, stock.Version);
        var reserved = await inventory.OutboxAsync(ReservationChanged.Parser);
        Assert.Equal(ReservationState.Reserved, Assert.Single(reserved).State);
        var availability = await inventory.Store.FindAvailabilityAsync(Sku, CancellationToken.None);
        Assert.Equal(5m, availability!.Salable.ToDecimal());
    }

    [Fact]
    public async Task A_replica_reserving_again_sees_what_another_replica_wrote_since_its_own_last_write()
    {
        var shared = new InMemoryStateStore("inventory");
        using var first = new InventoryHarness(state: shared);
        using var second = new InventoryHarness(state: shared);
        await first.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);
        await first.PlaceAsync("O1", 1, ("L1", Sku, 3));

        // The second replica lowers the figure and places an order of its own; the first one's last write is now old.
        await second.ReportAsync(Sku, Berlin, 5, 2, AnHourAgo.AddMinutes(1));
        await second.PlaceAsync("O2", 1, ("L1", Sku, 1));
        await first.PlaceAsync("O3", 1, ("L1", Sku, 2));

        var stock = await first.StockAsync(Sku);
        Assert.Equal(5, stock.Locations[Berlin].Reported);
        Assert.Equal(new[] { "O1", "O2", "O3" }, stock.Reservations.Values.Select(r => r.OrderId).Order());
        Assert.Equal(5, stock.Reserved(Berlin));
        Assert.Equal(1, stock.Backordered);
    }

    [Fact]
    public async Task An_aggregate_kept_from_the_last_write_is_the_one_stored()
    {
        using var inventory = new InventoryHarness(safetyStock: 1);
        await inventory.ReportAsync(Sku, Berlin, 6, 1, AnHourAgo);
        for (var i = 1; i <= 8; i++)
        {
            await inventory.PlaceAsync($"O{i}", 1, ("L1", Sku, 1 + (i % 3)));
            if (i % 3 == 0)
            {
                await inventory.CancelAsync($"O{i - 1}", 2, ("L1", Sku, 1));
            }
        }

        // The reservation path took the kept aggregate each time; what it kept must equal what a fresh read parses.
        var kept = await inventory.Store.LoadManyAsync([Sku], CancellationToken.None, forUpdate: true);
        var parsed = await inventory.Store.LoadAsync(Sku, CancellationToken.None);
        Assert.Equal(parsed.ETag, kept[Sku].ETag);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(parsed.Stock), System.Text.Json.JsonSerializer.Serialize(kept[Sku].Stock));
    }

    [Fact]
    public async Task Cancelling_releases_what_the_order_held()
    {
        using var inventory = new InventoryHarness(safetyStock: 2);
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);
        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 3), ("L2", "SKU-2", 1));

        await inventory.CancelAsync("O1", 2, ("L1", Sku, 1));
        Assert.Equal(2, (await inventory.StockAsync(Sku)).Reserved(Berlin));

        await inventory.CancelAsync("O1", 3, ("L1", Sku, 2), ("L2", "SKU-2", 1));
        var stock = await inventory.StockAsync(Sku);
        Assert.Equal(0, stock.Reserved(Berlin));
        Assert.Empty(stock.Reservations);
        Assert.Equal(0, (await inventory.StockAsync("SKU-2")).Backordered);
        Assert.Equal(8, stock.Salable(Berlin, inventory.Policy));
        var released = (await inventory.OutboxAsync(ReservationChanged.Parser)).Where(r => r.Sku == Sku && r.State == ReservationState.Released).ToList();
        Assert.Equal(3m, released.Sum(r => r.Quantity.ToDecimal()));
    }

    [Fact]
    public async Task A_refund_before_shipment_releases_and_the_same_version_again_does_not()
    {
        using var inventory = new InventoryHarness();
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);
        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 4));

        await inventory.RefundAsync("O1", 2, ("L1", Sku, 1));
        await inventory.RefundAsync("O1", 2, ("L1", Sku, 1));

        Assert.Equal(3, (await inventory.StockAsync(Sku)).Reserved(Berlin));
    }

    [Fact]
    public async Task An_event_older_than_the_last_applied_is_ignored()
    {
        using var inventory = new InventoryHarness();
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);
        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 3));
        await inventory.ReviseAsync("O1", 3, ("L1", Sku, 5));
        var version = (await inventory.StockAsync(Sku)).Version;

        await inventory.ReviseAsync("O1", 2, ("L1", Sku, 1));
        await inventory.CancelAsync("O1", 3, ("L1", Sku, 5));
        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 3));

        var stock = await inventory.StockAsync(Sku);
        Assert.Equal(5, stock.Reserved(Berlin));
        Assert.Equal(version, stock.Version);
        var (order, _) = await inventory.Store.LoadOrderAsync("O1", CancellationToken.None);
        Assert.Equal(3, order.AppliedVersion);
        Assert.Equal(5, order.Lines["L1"].Open);
    }

    [Fact]
    public async Task A_shipment_settled_by_command_and_again_with_the_same_shipment_id_settles_once()
    {
        using var inventory = new InventoryHarness();
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);
        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 3));

        var first = await inventory.Reservations.ApplyAsync("O1", 0, [new LineChange("L1", Sku, AddShipped: 2)], "S1", Berlin, null, DateTimeOffset.UtcNow, null, CancellationToken.None);
        var again = await inventory.Reservations.ApplyAsync("O1", 0, [new LineChange("L1", Sku, AddShipped: 2)], "S1", Berlin, null, DateTimeOffset.UtcNow, null, CancellationToken.None);
        // The order service reports the same shipment as an event.
        await inventory.ShipAsync("O1", 2, "S1", Berlin, ("L1", Sku, 2));

        Assert.Equal(2m, first);
        Assert.Null(again);
        var stock = await inventory.StockAsync(Sku);
        Assert.Equal(8, stock.Physical(Berlin));
        Assert.Equal(1, stock.Reserved(Berlin));
        Assert.Equal(7, stock.Salable(Berlin, inventory.Policy));
        var (order, _) = await inventory.Store.LoadOrderAsync("O1", CancellationToken.None);
        Assert.Equal(2, order.Lines["L1"].Shipped);
        var settled = (await inventory.OutboxAsync(ReservationChanged.Parser)).Where(r => r.State == ReservationState.Settled).ToList();
        Assert.Equal(2m, settled.Sum(r => r.Quantity.ToDecimal()));
    }

    [Fact]
    public async Task A_second_shipment_never_settles_more_than_is_still_to_ship()
    {
        using var inventory = new InventoryHarness();
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);
        await inventory.PlaceAsync("O1", 1, ("L1", Sku, 3));
        await inventory.Reservations.ApplyAsync("O1", 0, [new LineChange("L1", Sku, AddShipped: 2)], "S1", Berlin, null, DateTimeOffset.UtcNow, null, CancellationToken.None);

        var second = await inventory.Reservations.ApplyAsync("O1", 0, [new LineChange("L1", Sku, AddShipped: 2)], "S2", Berlin, null, DateTimeOffset.UtcNow, null, CancellationToken.None);

        Assert.Equal(1m, second);
        var stock = await inventory.StockAsync(Sku);
        Assert.Equal(7, stock.Physical(Berlin));
        Assert.Equal(0, stock.Reserved(Berlin));

        // Once the source measures after the shipments, its figure is taken as it is.
        await inventory.ReportAsync(Sku, Berlin, 7, 2, DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(7, (await inventory.StockAsync(Sku)).Physical(Berlin));
    }

    [Fact]
    public async Task Orders_racing_for_the_last_units_never_oversell()
    {
        // Five replicas over one store: within a replica writers of a SKU take turns, across replicas they race on the ETag.
        var state = new InterleavingStateStore(new InMemoryStateStore("inventory"));
        var replicas = Enumerable.Range(0, 5).Select(_ => new InventoryHarness(safetyStock: 2, state)).ToList();
        using var inventory = replicas[0];
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);

        await Task.WhenAll(Enumerable.Range(1, 50).Select(i => Task.Run(() => DeliverAsync(() => replicas[i % replicas.Count].PlaceAsync($"O{i}", 1, ("L1", Sku, 1))))));
        foreach (var replica in replicas.Skip(1))
        {
            replica.Dispose();
        }

        var stock = await inventory.StockAsync(Sku);
        Assert.Equal(8, stock.Reserved(Berlin));
        Assert.Equal(42, stock.Backordered);
        Assert.Equal(50, stock.Reservations.Count);
        Assert.All(stock.Reservations.Values, r => Assert.Equal(1, r.Demand));
        Assert.Equal(0, stock.Salable(Berlin, inventory.Policy));
        Assert.True(state.Conflicts > 0, "the orders never raced: the test proved nothing");

        var availability = await inventory.Store.FindAvailabilityAsync(Sku, CancellationToken.None);
        Assert.Equal(0m, availability!.Salable.ToDecimal());
        Assert.Equal(StockStatus.OutOfStock, availability.Status);
        var level = Assert.Single(availability.Locations);
        Assert.Equal(8m, level.Reserved.ToDecimal());
        Assert.Equal(0m, level.Salable.ToDecimal());

        // Every committed reservation was published once: 8 units reserved in all, none twice.
        var events = await inventory.OutboxAsync(ReservationChanged.Parser);
        Assert.Equal(8, events.Count);
        Assert.All(events, e => Assert.Equal(ReservationState.Reserved, e.State));
        Assert.Equal(8, events.Select(e => e.OrderId).Distinct().Count());

        // A cancellation hands its unit to the oldest waiting order, never below zero.
        var holder = events[0].OrderId;
        await inventory.CancelAsync(holder, 2, ("L1", Sku, 1));
        stock = await inventory.StockAsync(Sku);
        Assert.Equal(8, stock.Reserved(Berlin));
        Assert.Equal(41, stock.Backordered);
        Assert.Equal(0, stock.Salable(Berlin, inventory.Policy));
        var newestHolder = stock.Reservations.Values.Where(r => r.Open > 0).Max(r => r.Sequence);
        Assert.Equal(9, newestHolder);
        Assert.All(stock.Reservations.Values.Where(r => r.Backordered > 0), r => Assert.True(r.Sequence > newestHolder));
    }

    [Fact]
    public async Task Orders_racing_within_one_replica_take_turns_instead_of_conflicting()
    {
        var state = new InterleavingStateStore(new InMemoryStateStore("inventory"));
        using var inventory = new InventoryHarness(safetyStock: 2, state);
        await inventory.ReportAsync(Sku, Berlin, 10, 1, AnHourAgo);

        await Task.WhenAll(Enumerable.Range(1, 30).Select(i => Task.Run(() => inventory.PlaceAsync($"O{i}", 1, ("L1", Sku, 1), ("L2", "SKU-2", 1)))));

        Assert.Equal(0, state.Conflicts);
        var stock = await inventory.StockAsync(Sku);
        Assert.Equal(8, stock.Reserved(Berlin));
        Assert.Equal(22, stock.Backordered);
        Assert.Equal(30, (await inventory.StockAsync("SKU-2")).Backordered);
    }

    // Every read yields, so all fifty read the same aggregate and all but one lose each round; a writer that loses
    // more often than the writer's own retries allow throws, and the consumer delivers the event again, as here.
    private static async Task DeliverAsync(Func<Task> handle)
    {
        for (var delivery = 1; ; delivery++)
        {
            try
            {
                await handle();
                return;
            }
            catch (ConcurrencyConflictException) when (delivery < 50)
            {
            }
        }
    }
}
