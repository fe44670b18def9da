using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.Messaging;

namespace Platform.Inventory.Infrastructure;

/// <summary>One stock figure as a source sent it, already checked for shape (not yet for meaning).</summary>
public sealed record IncomingStockUpdate(
    string Sku,
    string SourceLocation,
    StockReportKind Kind,
    decimal Quantity,
    long? Sequence,
    DateTimeOffset? MeasuredAt,
    string Reference)
{
    /// <summary>The source's sequence, or the measurement time in microseconds when it sends none.</summary>
    public long EffectiveSequence => Sequence ?? (MeasuredAt!.Value - DateTimeOffset.UnixEpoch).Ticks / 10;
}

/// <summary>
/// Writes stock reports to <c>inventory.ingest.v1</c> before anything interprets them, for the webhook, the CSV drop and the
/// pull alike: one batch per bucket of SKUs, so applying them costs one read and one write per batch rather than per
/// figure. The event id is derived from the figures, so a delivery repeated as it was is one event to the inbox, and
/// a figure that arrives again in another delivery is stale by its sequence.
/// </summary>
public sealed class StockIntake(
    IEventPublisher publisher,
    IMessageTransport transport,
    Microsoft.Extensions.Options.IOptionsMonitor<InventoryOptions> options,
    SyncFreshness freshness,
    TimeProvider time)
{
    public const string Topic = "inventory.ingest.v1";

    public static string ChannelName(StockChannel channel) => channel switch
    {
        StockChannel.Webhook => "webhook",
        StockChannel.File => "csv",
        StockChannel.Pull => "pull",
        _ => "unknown",
    };

    public async Task PublishAsync(string source, StockChannel channel, IReadOnlyList<IncomingStockUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
        {
            return;
        }

        var receivedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var buckets = Math.Max(1, options.CurrentValue.IngestBuckets);
        var batches = new SortedDictionary<int, (StockReportBatch Batch, List<string> Ids)>();
        foreach (var update in updates)
        {
            var report = new StockReported
            {
                Sku = update.Sku,
                Source = source,
                SourceLocation = update.SourceLocation,
                Kind = update.Kind,
                Quantity = DecimalValue.FromDecimal(update.Quantity),
                SourceSequence = update.EffectiveSequence,
                ReceivedAt = receivedAt,
                Channel = channel,
                Reference = update.Reference,
            };
            if (update.MeasuredAt is { } measured)
            {
                report.MeasuredAt = Timestamp.FromDateTimeOffset(measured);
            }

            var bucket = BucketOf(update.Sku, buckets);
            if (!batches.TryGetValue(bucket, out var entry))
            {
                batches[bucket] = entry = (new StockReportBatch(), []);
            }

            entry.Batch.Reports.Add(report);
            entry.Ids.Add(EventIdFor(source, update));
        }

        var messages = batches.Select(b =>
        {
            var key = "bucket-" + b.Key.ToString(CultureInfo.InvariantCulture);
            var envelope = publisher.CreateEnvelope(key, b.Value.Batch) with { Id = Hash(string.Join('\n', b.Value.Ids)) };
            return EventCodec.ToTransport(Topic, envelope);
        }).ToList();
        await transport.ProduceBatchAsync(messages, cancellationToken);
        freshness.RecordSuccess($"stock.{ChannelName(channel)}.{source}");
    }

    /// <summary>
    /// Sends one report on its own, keyed by its SKU: how a report a batch could not apply (unknown SKU or location) reaches
    /// the dead letters with its reason, one by one, so an operator can replay exactly that report.
    /// </summary>
    public Task PublishSingleAsync(StockReported report, CancellationToken cancellationToken)
    {
        var envelope = publisher.CreateEnvelope(report.Sku, report) with { Id = EventIdFor(report) };
        return transport.ProduceAsync(EventCodec.ToTransport(Topic, envelope), cancellationToken);
    }

    // Stable across processes and releases (string.GetHashCode is not): a SKU must always land in the same bucket.
    public static int BucketOf(string sku, int buckets) =>
        (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(sku)), 0) % (uint)buckets);

    private static string EventIdFor(StockReported report) =>
        Hash(string.Join('\n', report.Source, report.Sku, report.SourceLocation, report.Kind == StockReportKind.Adjustment ? "Adjustment" : "Snapshot",
            report.SourceSequence.ToString(CultureInfo.InvariantCulture), report.Quantity.ToDecimal().ToString(CultureInfo.InvariantCulture)));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    private static string EventIdFor(string source, IncomingStockUpdate update) =>
        Hash(string.Join('\n', source, update.Sku, update.SourceLocation, update.Kind == StockReportKind.Adjustment ? "Adjustment" : "Snapshot",
            update.EffectiveSequence.ToString(CultureInfo.InvariantCulture), update.Quantity.ToString(CultureInfo.InvariantCulture)));
}
