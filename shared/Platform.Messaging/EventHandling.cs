using Google.Protobuf;
using Platform.State;

namespace Platform.Messaging;

/// <summary>Handles one event type for one consumer group. Throw <see cref="InvalidEventException"/> for input that can never succeed.</summary>
public interface IEventHandler<in TEvent>
    where TEvent : IMessage
{
    Task HandleAsync(TEvent @event, EventContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler knows about the event in hand beyond its payload.</summary>
public sealed class EventContext
{
    private readonly IInbox _inbox;

    internal EventContext(EventEnvelope envelope, string topic, string consumerGroup, ReceivedMessage record, int attempt, IInbox inbox)
    {
        Envelope = envelope;
        Topic = topic;
        ConsumerGroup = consumerGroup;
        Record = record;
        Attempt = attempt;
        _inbox = inbox;
    }

    public EventEnvelope Envelope { get; }

    public string EventId => Envelope.Id;

    /// <summary>The topic the event was published to (not the retry topic it may have come back through).</summary>
    public string Topic { get; }

    public string ConsumerGroup { get; }

    public ReceivedMessage Record { get; }

    /// <summary>1 for the first try; counts every earlier attempt, in place and through the retry topic.</summary>
    public int Attempt { get; }

    internal bool InboxRecorded { get; private set; }

    /// <summary>
    /// Marks the event processed inside the handler's own transaction, so the effect and the inbox entry commit
    /// together: a redelivery after a crash between them is then impossible, not merely unlikely.
    /// </summary>
    public StateTransaction RecordProcessedIn(StateTransaction transaction)
    {
        _inbox.AddTo(transaction, ConsumerGroup, EventId);
        InboxRecorded = true;
        return transaction;
    }
}
