using System.Diagnostics.Metrics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Order.V1;
using Platform.Inventory.Domain;
using Platform.Inventory.Handlers;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;
using Platform.Messaging.InMemory;
using Platform.State;
using OrderMessage = Platform.Contracts.Order.V1.Order;

namespace Platform.Inventory.Tests;

/// <summary>
/// The inventory service's write side over real in-memory parts: state store, outbox, publisher and the configured
/// thresholds. Stock reports go through the same load, apply, record and commit as the stock report handler.
/// </summary>
public sealed class InventoryHarness : IDisposable
{
    public const string Source = "erp";
    private readonly ServiceProvider _services;

    public InventoryHarness(decimal safetyStock = 0, IStateStore? state = null)
    {
        State = state ?? new InMemoryStateStore("inventory");
        Options = new TestOptionsMonitor<InventoryOptions>(new InventoryOptions
        {
            Thresholds = new ThresholdOptions { SafetyStock = safetyStock, LowStockLevel = 0 },
            Targets = { ["magento"] = new StockTargetOptions { Expects = TargetExpects.PhysicalLessOwnReservations, Store = "default" } },
        });
        Policy = new ConfiguredThresholds(Options);
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = _services.GetRequiredService<IMeterFactory>();
        Metrics = new InventoryMetrics(meters);
        Transport = new InMemoryTransport();
        Publisher = new EventPublisher(Transport, Microsoft.Extensions.Options.Options.Create(new MessagingOptions { ServiceName = "inventory" }), new MessagingMetrics(meters));
        Store = new StockStore(State);
        Writer = new StockWriter(Store, Publisher, Policy, Options, new PushSignal(), Metrics, TimeProvider.System);
        Reservations = new OrderReservations(Writer, Metrics);
        Orders = new OrderEventsHandler(Reservations);
    }

    public IStateStore State { get; }
    public TestOptionsMonitor<InventoryOptions> Options { get; }
    public IStockThresholdPolicy Policy { get; }
    public InventoryMetrics Metrics { get; }
    public InMemoryTransport Transport { get; }
    public IEventPublisher Publisher { get; }
    public StockStore Store { get; }
    public StockWriter Writer { get; }
    public OrderReservations Reservations { get; }
    public OrderEventsHandler Orders { get; }

    public async Task<ReportOutcome> ReportAsync(string sku, string location, decimal quantity, long sequence, DateTimeOffset measuredAt, SourceReports reports = SourceReports.Physical)
    {
        var report = new StockReport(Source, reports, location, ReportKind.Snapshot, quantity, sequence, measuredAt, measuredAt);
        return await Writer.CommitAsync(async (transaction, ct) =>
        {
            var (stock, etag) = await Store.LoadAsync(sku, ct);
            var previous = stock.Status(Policy);
            var outcome = stock.Apply(report, Policy);
            if (outcome.Kind == ReportOutcomeKind.Applied)
            {
                Writer.Record(transaction, stock, etag, previous, [location], outcome.Moves);
            }

            return (outcome, outcome.Kind == ReportOutcomeKind.Applied);
        }, CancellationToken.None);
    }

    public async Task<SkuStock> StockAsync(string sku) => (await Store.LoadAsync(sku, CancellationToken.None)).Stock;

    /// <summary>Every event of one type committed to the outbox so far, in commit order.</summary>
    public async Task<IReadOnlyList<T>> OutboxAsync<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        var type = parser.ParseFrom(ByteString.Empty).Descriptor.FullName;
        var entries = await State.ReadOutboxAsync(100_000);
        return entries.Where(e => e.Headers[EventHeaders.Type] == type).Select(e => parser.ParseFrom(e.Payload.Span)).ToList();
    }

    // The handler hands the event context to the inbox only; these tests drive it without a consumer, as the settle
    // command drives the same reservations.
    public Task PlaceAsync(string orderId, long version, params (string LineId, string Sku, decimal Ordered)[] lines) =>
        Orders.HandleAsync(new OrderPlaced { OrderId = orderId, Version = version, Order = Order(orderId, version, lines), OccurredAt = Now() }, null!, CancellationToken.None);

    public Task ReviseAsync(string orderId, long version, params (string LineId, string Sku, decimal Ordered)[] lines) =>
        Orders.HandleAsync(new OrderRevised { OrderId = orderId, Version = version, Order = Order(orderId, version, lines), OccurredAt = Now() }, null!, CancellationToken.None);

    public Task CancelAsync(string orderId, long version, params (string LineId, string Sku, decimal Quantity)[] lines) =>
        Orders.HandleAsync(new OrderCancelled { OrderId = orderId, Version = version, Lines = { lines.Select(Line) }, OccurredAt = Now() }, null!, CancellationToken.None);

    public Task RefundAsync(string orderId, long version, params (string LineId, string Sku, decimal Quantity)[] lines) =>
        Orders.HandleAsync(new OrderRefunded { OrderId = orderId, Version = version, Lines = { lines.Select(Line) }, OccurredAt = Now() }, null!, CancellationToken.None);

    public Task ShipAsync(string orderId, long version, string shipmentId, string location, params (string LineId, string Sku, decimal Quantity)[] lines) =>
        Orders.HandleAsync(new OrderShipped { OrderId = orderId, Version = version, ShipmentId = shipmentId, LocationCode = location, Lines = { lines.Select(Line) }, OccurredAt = Now() }, null!, CancellationToken.None);

    public void Dispose() => _services.Dispose();

    private static Google.Protobuf.WellKnownTypes.Timestamp Now() => Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);

    private static LineQuantity Line((string LineId, string Sku, decimal Quantity) line) =>
        new() { LineId = line.LineId, Sku = line.Sku, Quantity = DecimalValue.FromDecimal(line.Quantity) };

    private static OrderMessage Order(string orderId, long version, (string LineId, string Sku, decimal Ordered)[] lines) => new()
    {
        OrderId = orderId,
        Version = version,
        Lines =
        {
            lines.Select(line => new OrderLine
            {
                LineId = line.LineId,
                Sku = line.Sku,
                QuantityOrdered = DecimalValue.FromDecimal(line.Ordered),
                QuantityShipped = DecimalValue.FromDecimal(0),
                QuantityCancelled = DecimalValue.FromDecimal(0),
                QuantityRefunded = DecimalValue.FromDecimal(0),
            }),
        },
    };
}

/// <summary>
/// The in-memory store with every read yielding before it returns, so that parallel writers of one SKU really interleave between
/// reading the aggregate and committing it; counts the commits refused for a stale ETag.
/// </summary>
public sealed class InterleavingStateStore(IStateStore inner) : IStateStore
{
    private int _conflicts;

    public int Conflicts => Volatile.Read(ref _conflicts);

    public string Name => inner.Name;

    public async ValueTask<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var item = await inner.GetAsync(key, cancellationToken);
        await Task.Yield();
        return item;
    }

    public async Task<IReadOnlyDictionary<string, StateItem>> GetManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var items = await inner.GetManyAsync(keys, cancellationToken);
        await Task.Yield();
        return items;
    }

    public Task<string> SetAsync(string key, ReadOnlyMemory<byte> value, StateCondition condition = default, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default) =>
        inner.SetAsync(key, value, condition, timeToLive, cancellationToken);

    public Task<bool> DeleteAsync(string key, StateCondition condition = default, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(key, condition, cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.CommitAsync(transaction, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            Interlocked.Increment(ref _conflicts);
            throw;
        }
    }

    public Task<IReadOnlyList<IndexEntry>> ReadIndexAsync(string index, long skip = 0, int take = 100, CancellationToken cancellationToken = default) =>
        inner.ReadIndexAsync(index, skip, take, cancellationToken);

    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default) => inner.CountIndexAsync(index, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken cancellationToken = default) => inner.ReadOutboxAsync(max, cancellationToken);

    public Task AcknowledgeOutboxAsync(IReadOnlyCollection<string> entryIds, CancellationToken cancellationToken = default) =>
        inner.AcknowledgeOutboxAsync(entryIds, cancellationToken);

    public Task<long> CountOutboxAsync(CancellationToken cancellationToken = default) => inner.CountOutboxAsync(cancellationToken);

    public Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default) =>
        inner.TryAcquireLeaseAsync(name, owner, duration, cancellationToken);

    public Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken = default) => inner.ReleaseLeaseAsync(name, owner, cancellationToken);
}
