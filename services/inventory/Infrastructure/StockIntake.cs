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
/// Writes stock reports to <c>inventory.ingest.v1</c> (keyed by SKU) before anything interprets them, for the webhook,
/// the CSV drop and the pull alike. The event id is derived from the figure itself, so the same figure delivered twice,
/// through one channel or two, is one event to the inbox.
/// </summary>
public sealed class StockIntake(IEventPublisher publisher, IMessageTransport transport, SyncFreshness freshness, TimeProvider time)
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
        var messages = new List<TransportMessage>(updates.Count);
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

            var envelope = publisher.CreateEnvelope(update.Sku, report) with { Id = EventIdFor(source, update) };
            messages.Add(EventCodec.ToTransport(Topic, envelope));
        }

        await transport.ProduceBatchAsync(messages, cancellationToken);
        freshness.RecordSuccess($"stock.{ChannelName(channel)}.{source}");
    }

    private static string EventIdFor(string source, IncomingStockUpdate update) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
            source, update.Sku, update.SourceLocation, update.Kind.ToString(), update.EffectiveSequence.ToString(CultureInfo.InvariantCulture),
            update.Quantity.ToString(CultureInfo.InvariantCulture)))))[..32];
}
