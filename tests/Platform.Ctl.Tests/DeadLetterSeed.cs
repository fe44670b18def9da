using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Order.V1;
using OrderV1 = Platform.Contracts.Order.V1;
using Platform.Messaging;

namespace Platform.Ctl.Tests;

public static class DeadLetterSeed
{
    // A group no consumer of the service runs: a replayed record waits on its retry topic instead of being
    // handled (and possibly dead-lettered again) while the test looks.
    public const string Group = "ctl-tests";

    public static OrderPlaced SampleOrderPlaced() => new()
    {
        OrderId = "default-000000123",
        Version = 1,
        Order = new OrderV1.Order
        {
            OrderId = "default-000000123",
            StoreCode = "default",
            OrderNumber = "000000123",
            State = OrderState.Placed,
            CurrencyCode = "EUR",
            PlacedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero)),
        },
        OccurredAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 20, 9, 30, 1, TimeSpan.Zero)),
    };

    public static async Task RecordAsync(
        TestServiceHost host,
        string id,
        string kind,
        string eventType = "platform.order.v1.OrderPlaced",
        string topic = "order.ingest.v1",
        TimeSpan? age = null,
        byte[]? payload = null,
        string reason = "unknown store code 'xx'")
    {
        var deadLetteredAt = DateTimeOffset.UtcNow - (age ?? TimeSpan.FromMinutes(5));
        await host.DeadLetters.RecordAsync(new DeadLetterRecord
        {
            Id = id,
            EventId = "event-" + id,
            EventType = eventType,
            ConsumerGroup = Group,
            OriginalTopic = topic,
            Key = "default-000000123",
            Reason = reason,
            FailureKind = kind,
            Attempts = kind == FailureKinds.Exhausted ? 5 : 1,
            FirstFailureTime = deadLetteredAt - TimeSpan.FromMinutes(1),
            DeadLetteredAt = deadLetteredAt,
            Headers = new() { [EventHeaders.Id] = "event-" + id, [EventHeaders.SpecVersion] = "1.0", [EventHeaders.Type] = eventType },
            Payload = payload ?? SampleOrderPlaced().ToByteArray(),
        });
    }

    /// <summary>A loopback port nothing listens on: bound once by the OS, then released.</summary>
    public static string ClosedLoopbackAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}";
    }
}
