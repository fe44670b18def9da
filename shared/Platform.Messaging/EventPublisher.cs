using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Platform.State;

namespace Platform.Messaging;

public interface IEventPublisher
{
    /// <summary>Publishes now; returns once the broker holds the event durably.</summary>
    Task PublishAsync(string topic, string key, IMessage message, CancellationToken cancellationToken = default);

    /// <summary>Wraps a message in a new envelope (fresh id, this service as source, current trace context).</summary>
    EventEnvelope CreateEnvelope(string key, IMessage message);
}

public sealed class MessagingOptions
{
    /// <summary>The producing service; CloudEvents source becomes <c>/platform/&lt;ServiceName&gt;</c>.</summary>
    public string ServiceName { get; set; } = "platform";
}

public sealed class EventPublisher(IMessageTransport transport, IOptions<MessagingOptions> options, MessagingMetrics metrics, TimeProvider? timeProvider = null) : IEventPublisher
{
    private readonly string _source = "/platform/" + options.Value.ServiceName;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task PublishAsync(string topic, string key, IMessage message, CancellationToken cancellationToken = default)
    {
        var envelope = CreateEnvelope(key, message);
        try
        {
            await transport.ProduceAsync(EventCodec.ToTransport(topic, envelope), cancellationToken);
            metrics.Produced(topic, "ok");
        }
        catch
        {
            metrics.Produced(topic, "error");
            throw;
        }
    }

    public EventEnvelope CreateEnvelope(string key, IMessage message)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(message);
        return new EventEnvelope
        {
            Id = Guid.CreateVersion7().ToString("N"),
            Type = message.Descriptor.FullName,
            Source = _source,
            Key = key,
            Time = _time.GetUtcNow(),
            Data = message.ToByteArray(),
            TraceParent = Activity.Current?.Id is { } id && Activity.Current.IdFormat == ActivityIdFormat.W3C ? id : null,
        };
    }
}

public static class OutboxTransactionExtensions
{
    /// <summary>
    /// Adds an event to the transaction's outbox: it is published by the relay only if, and as soon as, the
    /// state it describes has committed. Returns the event id (also the inbox key consumers dedupe on).
    /// </summary>
    public static string Publish(this StateTransaction transaction, IEventPublisher publisher, string topic, string key, IMessage message)
    {
        var envelope = publisher.CreateEnvelope(key, message);
        var record = EventCodec.ToTransport(topic, envelope);
        transaction.Enqueue(new OutboxEntry(envelope.Id, topic, key, record.Headers, record.Value));
        return envelope.Id;
    }
}
