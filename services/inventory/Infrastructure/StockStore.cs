using System.Collections;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.Inventory.Domain;
using Platform.State;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// The inventory service's state: one aggregate per SKU, the availability read model written with it, the per-order
/// record that routes order events to SKUs, and two indexes (every SKU held, and SKUs whose push is due by due time).
/// </summary>
public sealed class StockStore(IStateStore store, IOptions<InventoryOptions>? options = null)
{
    public const string SkusIndex = "skus";
    public const string PushDueIndex = "push-due";

    /// <summary>The due SKUs whose change crossed a threshold: small, so the pusher can look at it every few milliseconds.</summary>
    public const string PushUrgentIndex = "push-urgent";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutWhatReadingBackDoesNotNeed } },
    };

    // Taken out on load, so two writers in this process never share one mutable aggregate; put back only after a commit.
    private readonly ConcurrentDictionary<string, (string ETag, SkuStock Stock)> _lastWritten = new(StringComparer.Ordinal);
    private readonly int _lastWrittenCapacity = options?.Value.AggregateCacheSize ?? 1000;

    public IStateStore State => store;

    public static string StockKey(string sku) => "sku-stock:" + sku;

    /// <summary>The availability read model: one precomputed entry per SKU, so storefront widgets cost one read.</summary>
    public static string AvailabilityKey(string sku) => "availability:" + sku;

    public static string OrderKey(string orderId) => "order-lines:" + orderId;

    public static string KnownSkuKey(string sku) => "known-sku:" + sku;

    /// <summary>What the pusher last told the targets about a SKU, and up to which version of the SKU.</summary>
    public static string PushedKey(string sku) => "pushed:" + sku;

    public async Task<(SkuStock Stock, string? ETag)> LoadAsync(string sku, CancellationToken cancellationToken) =>
        (await LoadManyAsync([sku], cancellationToken))[sku];

    /// <summary>
    /// Reads SKUs with what was last pushed for them, in one round trip. Push marks the pusher has since dealt with are
    /// cleared here, because the pusher never writes the aggregate itself. A writer (<paramref name="forUpdate"/>) gets the
    /// aggregate this replica committed last when the stored ETag is still that commit's, instead of parsing it again.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (SkuStock Stock, string? ETag)>> LoadManyAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken, bool forUpdate = false)
    {
        var distinct = skus.Distinct(StringComparer.Ordinal).ToList();
        var items = await store.GetManyAsync([.. distinct.Select(StockKey), .. distinct.Select(PushedKey)], cancellationToken);
        var loaded = new Dictionary<string, (SkuStock Stock, string? ETag)>(distinct.Count, StringComparer.Ordinal);
        foreach (var sku in distinct)
        {
            var stock = items.TryGetValue(StockKey(sku), out var item)
                ? (forUpdate ? TakeLastWritten(sku, item.ETag) : null) ?? Deserialize<SkuStock>(item.Value)
                : new SkuStock { Sku = sku };
            if (items.TryGetValue(PushedKey(sku), out var pushedItem))
            {
                var pushed = Deserialize<PushedRecord>(pushedItem.Value);
                stock.Push.Pushed = pushed.Targets;
                stock.Push.PushedVersion = pushed.Version;
                stock.Push.ClearIfPushed(pushed.Version);
            }

            loaded[sku] = (stock, item?.ETag);
        }

        return loaded;
    }

    /// <summary>Records what the targets now hold; with <paramref name="seenETag"/>, also takes the SKU off the push indexes unless it changed since.</summary>
    public static StateTransaction SavePushed(StateTransaction transaction, string sku, PushedRecord pushed, string? seenETag, bool leaveIndexes)
    {
        transaction.Set(PushedKey(sku), JsonSerializer.SerializeToUtf8Bytes(pushed, Json));
        if (!leaveIndexes)
        {
            transaction.Check(StockKey(sku), seenETag is null ? StateCondition.MustNotExist : StateCondition.Match(seenETag));
            transaction.RemoveFromIndex(PushDueIndex, sku);
            transaction.RemoveFromIndex(PushUrgentIndex, sku);
        }

        return transaction;
    }

    /// <summary>Keeps aggregates just committed, under the ETags the commit gave them, for the next writer here.</summary>
    public void RememberWritten(IEnumerable<SkuStock> stocks, IReadOnlyDictionary<string, string> etags)
    {
        if (_lastWrittenCapacity == 0)
        {
            return;
        }

        foreach (var stock in stocks)
        {
            if (!etags.TryGetValue(StockKey(stock.Sku), out var etag))
            {
                continue;
            }

            if (_lastWritten.Count >= _lastWrittenCapacity && !_lastWritten.ContainsKey(stock.Sku))
            {
                // Bounded without bookkeeping: a full cache starts over, and the SKUs still busy come back at their next write.
                _lastWritten.Clear();
            }

            _lastWritten[stock.Sku] = (etag, stock);
        }
    }

    private SkuStock? TakeLastWritten(string sku, string storedETag) =>
        _lastWritten.TryRemove(sku, out var last) && last.ETag == storedETag ? last.Stock : null;

    public async Task<(OrderLines Lines, string? ETag)> LoadOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(OrderKey(orderId), cancellationToken);
        return item is null ? (new OrderLines { OrderId = orderId }, null) : (Deserialize<OrderLines>(item.Value), item.ETag);
    }

    /// <summary>Adds the aggregate, its read model and its index entries to a transaction, guarded by the ETag it was read with.</summary>
    public static StateTransaction Save(StateTransaction transaction, SkuStock stock, string? etag, IStockThresholdPolicy policy)
    {
        transaction.Set(StockKey(stock.Sku), JsonSerializer.SerializeToUtf8Bytes(stock, Json), etag is null ? StateCondition.MustNotExist : StateCondition.Match(etag));
        transaction.Set(AvailabilityKey(stock.Sku), StockContracts.ToAvailability(stock, policy).ToByteArray());
        if (etag is null)
        {
            transaction.AddToIndex(SkusIndex, stock.Sku, 0);
        }

        if (stock.Push.DueAt is { } due)
        {
            transaction.AddToIndex(PushDueIndex, stock.Sku, due.ToUnixTimeMilliseconds());
        }
        else
        {
            transaction.RemoveFromIndex(PushDueIndex, stock.Sku);
        }

        if (stock.Push is { Threshold: true, DueAt: { } urgentDue })
        {
            transaction.AddToIndex(PushUrgentIndex, stock.Sku, urgentDue.ToUnixTimeMilliseconds());
        }
        else
        {
            transaction.RemoveFromIndex(PushUrgentIndex, stock.Sku);
        }

        return transaction;
    }

    public static StateTransaction SaveOrder(StateTransaction transaction, OrderLines lines, string? etag) =>
        transaction.Set(OrderKey(lines.OrderId), JsonSerializer.SerializeToUtf8Bytes(lines, Json), etag is null ? StateCondition.MustNotExist : StateCondition.Match(etag), OrderLines.Retention);

    public Task<IReadOnlyList<SkuAvailability>> FindAvailabilityAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken) =>
        store.GetMessagesAsync(skus.Select(AvailabilityKey).ToList(), SkuAvailability.Parser, cancellationToken);

    public Task<SkuAvailability?> FindAvailabilityAsync(string sku, CancellationToken cancellationToken) =>
        store.GetMessageAsync(AvailabilityKey(sku), SkuAvailability.Parser, cancellationToken);

    public async Task<IReadOnlyList<string>> DueForPushAsync(DateTimeOffset now, int max, CancellationToken cancellationToken, bool urgentOnly = false)
    {
        var entries = await store.ReadIndexAsync(urgentOnly ? PushUrgentIndex : PushDueIndex, 0, max, cancellationToken);
        var cutoff = now.ToUnixTimeMilliseconds();
        return entries.TakeWhile(e => e.Score <= cutoff).Select(e => e.Member).ToList();
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        var first = await store.ReadIndexAsync(PushDueIndex, 0, 1, cancellationToken);
        return first.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)first[0].Score);
    }

    public Task<long> CountPushDueAsync(CancellationToken cancellationToken) => store.CountIndexAsync(PushDueIndex, cancellationToken);

    public Task<IReadOnlyList<IndexEntry>> ReadSkusAsync(long skip, int take, CancellationToken cancellationToken) =>
        store.ReadIndexAsync(SkusIndex, skip, take, cancellationToken);

    /// <summary>Which of the SKUs the catalog has published, in one read.</summary>
    public async Task<IReadOnlySet<string>> KnownSkusAsync(IReadOnlyCollection<string> skus, CancellationToken cancellationToken)
    {
        var found = await store.GetManyAsync(skus.Select(KnownSkuKey).ToList(), cancellationToken);
        return skus.Where(sku => found.ContainsKey(KnownSkuKey(sku))).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// A SKU with many open orders holds as many reservations, and all of them are written at every change of the SKU:
    /// computed properties (never read back) and empty collections (their initializers give them back) are left out.
    /// </summary>
    private static void LeaveOutWhatReadingBackDoesNotNeed(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var computed in type.Properties.Where(p => p.Set is null).ToList())
        {
            type.Properties.Remove(computed);
        }

        foreach (var property in type.Properties.Where(p => typeof(ICollection).IsAssignableFrom(p.PropertyType)))
        {
            property.ShouldSerialize = (_, value) => value is not ICollection { Count: 0 };
        }
    }

    private static T Deserialize<T>(ReadOnlyMemory<byte> value) => JsonSerializer.Deserialize<T>(value.Span, Json)
        ?? throw new InvalidOperationException($"stored {typeof(T).Name} is empty");
}

/// <summary>What the pusher has told the targets about one SKU, and the SKU version it had pushed everything of.</summary>
public sealed class PushedRecord
{
    public long Version { get; set; }

    public Dictionary<string, Dictionary<string, TargetQuantity>> Targets { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// What the inventory service knows of one order: the last order version it applied (older events are ignored), which
/// SKU each line is, and the shipments already settled (a repeated settle has no effect).
/// </summary>
public sealed class OrderLines
{
    /// <summary>Longer than any order stays open or any event is replayed.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(90);

    public required string OrderId { get; init; }

    public long AppliedVersion { get; set; }

    public Dictionary<string, OrderLineQuantities> Lines { get; init; } = new(StringComparer.Ordinal);

    public HashSet<string> SettledShipments { get; init; } = new(StringComparer.Ordinal);

    public DateTimeOffset? ExportedAt { get; set; }
}

/// <summary>A line's quantities as the order events told them; its open demand follows from them.</summary>
public sealed class OrderLineQuantities
{
    public required string Sku { get; init; }
    public decimal Ordered { get; set; }
    public decimal Shipped { get; set; }
    public decimal Cancelled { get; set; }
    public decimal Refunded { get; set; }

    /// <summary>Still to ship: a refund only lowers it for the part not shipped (a refund of shipped goods is a return).</summary>
    public decimal Open => Math.Max(0, Ordered - Shipped - Cancelled - Math.Max(0, Refunded - Shipped));
}
