using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Order.V1;
using Platform.Messaging;

namespace Platform.Order.Infrastructure;

/// <summary>
/// Writes what the storefront reported to order.ingest.v1 before anything interprets it, so a webhook is
/// acknowledged as soon as the report is durable. The event id is derived from the delivery (webhook id, or the
/// order's updated_at for the poll), so a duplicated delivery is one event to the inbox.
/// </summary>
public sealed class IngestPublisher(IEventPublisher publisher, IMessageTransport transport, TimeProvider time)
{
    public const string Topic = "order.ingest.v1";

    public Task PublishAsync(string storeCode, string orderNumber, IngestSource source, ReadOnlyMemory<byte> rawOrder, string deliveryId, CancellationToken cancellationToken)
    {
        var orderId = Domain.OrderIds.For(storeCode, orderNumber);
        var received = new StorefrontOrderReceived
        {
            OrderId = orderId,
            StoreCode = storeCode,
            Source = source,
            RawOrder = ByteString.CopyFrom(rawOrder.Span),
            ReceivedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            DeliveryId = deliveryId,
        };
        var envelope = publisher.CreateEnvelope(orderId, received) with { Id = DeliveryEventId(storeCode, source, deliveryId) };
        return transport.ProduceAsync(EventCodec.ToTransport(Topic, envelope), cancellationToken);
    }

    private static string DeliveryEventId(string storeCode, IngestSource source, string deliveryId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{storeCode}\n{source}\n{deliveryId}")))[..32];
}
