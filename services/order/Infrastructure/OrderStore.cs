using System.Text.Json;
using Platform.Order.Domain;
using Platform.State;

namespace Platform.Order.Infrastructure;

/// <summary>
/// The platform's orders, one key each, with an index of those awaiting export (scored by when they were first
/// seen) so the age of the oldest unexported order is one read.
/// </summary>
public sealed class OrderStore(IStateStore store)
{
    public const string AwaitingExportIndex = "orders-awaiting-export";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string KeyFor(string orderId) => "order:" + orderId;

    public IStateStore State => store;

    public async Task<(OrderRecord Record, string ETag)?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        var item = await store.GetAsync(KeyFor(orderId), cancellationToken);
        return item is null ? null : (JsonSerializer.Deserialize<OrderRecord>(item.Value.Span, Json)!, item.ETag);
    }

    /// <summary>Adds the record's write to a transaction, guarded so a concurrent writer cannot be overwritten.</summary>
    public static StateTransaction Save(StateTransaction transaction, OrderRecord record, string? etag)
    {
        transaction.Set(KeyFor(record.OrderId), JsonSerializer.SerializeToUtf8Bytes(record, Json), etag is null ? StateCondition.MustNotExist : StateCondition.Match(etag));
        if (record.AwaitsExport)
        {
            transaction.AddToIndex(AwaitingExportIndex, record.OrderId, (record.AwaitingExportSince ?? DateTimeOffset.UnixEpoch).ToUnixTimeMilliseconds());
        }
        else
        {
            transaction.RemoveFromIndex(AwaitingExportIndex, record.OrderId);
        }

        return transaction;
    }

    public async Task<DateTimeOffset?> OldestAwaitingExportAsync(CancellationToken cancellationToken)
    {
        var oldest = await store.ReadIndexAsync(AwaitingExportIndex, 0, 1, cancellationToken);
        return oldest.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)oldest[0].Score);
    }

    public Task<long> CountAwaitingExportAsync(CancellationToken cancellationToken) => store.CountIndexAsync(AwaitingExportIndex, cancellationToken);
}
