using CloudNative.CloudEvents;
using Google.Protobuf.WellKnownTypes;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Messaging;
using Platform.Messaging.InMemory;

namespace Platform.Messaging.Tests;

public sealed class EventCodecTests
{
    private static EventPublisher NewPublisher()
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new EventPublisher(new InMemoryTransport(), Options.Create(new MessagingOptions { ServiceName = "inventory" }), new MessagingMetrics(meters));
    }

    [Fact]
    public void Headers_are_a_valid_CloudEvents_1_0_binary_mode_event()
    {
        var envelope = NewPublisher().CreateEnvelope("sku-1", new StringValue { Value = "x" });
        var record = EventCodec.ToTransport("inventory.stock.v1", envelope);

        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = record.Headers[EventHeaders.Id],
            Source = new Uri(record.Headers[EventHeaders.Source], UriKind.RelativeOrAbsolute),
            Type = record.Headers[EventHeaders.Type],
            Time = DateTimeOffset.Parse(record.Headers[EventHeaders.Time], System.Globalization.CultureInfo.InvariantCulture),
            Subject = record.Headers[EventHeaders.Subject],
            DataContentType = record.Headers[EventHeaders.ContentType],
        };

        Assert.True(cloudEvent.IsValid);
        Assert.Equal("1.0", record.Headers[EventHeaders.SpecVersion]);
        Assert.Equal("/platform/inventory", cloudEvent.Source!.ToString());
        Assert.Equal("google.protobuf.StringValue", cloudEvent.Type);
        Assert.Equal("sku-1", record.Key);
        Assert.Equal("application/protobuf", cloudEvent.DataContentType);
    }

    [Fact]
    public void A_record_round_trips_through_the_codec()
    {
        var envelope = NewPublisher().CreateEnvelope("order-1", new StringValue { Value = "placed" }) with { TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
        var record = EventCodec.ToTransport("order.orders.v1", envelope);
        var received = new ReceivedMessage("order.orders.v1", 0, 0, record.Key, record.Headers, record.Value, DateTimeOffset.UtcNow);

        var decoded = EventCodec.FromTransport(received);

        Assert.Equal(envelope.Id, decoded.Id);
        Assert.Equal(envelope.Type, decoded.Type);
        Assert.Equal(envelope.Key, decoded.Key);
        Assert.Equal(envelope.TraceParent, decoded.TraceParent);
        Assert.Equal(envelope.Time, decoded.Time);
        Assert.Equal("placed", StringValue.Parser.ParseFrom(decoded.Data.Span).Value);
    }

    [Theory]
    [InlineData(EventHeaders.Id)]
    [InlineData(EventHeaders.Type)]
    [InlineData(EventHeaders.Source)]
    [InlineData(EventHeaders.SpecVersion)]
    public void A_record_missing_a_required_attribute_is_malformed_and_says_which(string missing)
    {
        var record = EventCodec.ToTransport("t", NewPublisher().CreateEnvelope("k", new StringValue()));
        var headers = record.Headers.Where(h => h.Key != missing).ToDictionary();
        var received = new ReceivedMessage("t", 0, 0, "k", headers, record.Value, DateTimeOffset.UtcNow);

        var error = Assert.Throws<MalformedEventException>(() => EventCodec.FromTransport(received));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_always_map_to_the_same_partition()
    {
        Assert.Equal(InMemoryTransport.PartitionFor("sku-123", 8), InMemoryTransport.PartitionFor("sku-123", 8));
        var spread = Enumerable.Range(0, 1000).Select(i => InMemoryTransport.PartitionFor($"sku-{i}", 8)).Distinct().Count();
        Assert.Equal(8, spread);
    }
}
