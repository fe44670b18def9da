using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.Messaging;

/// <summary>Declares one consumer group: the topics it reads and a handler per event type.</summary>
public sealed class EventConsumerBuilder
{
    private readonly List<string> _topics = [];
    private readonly Dictionary<string, HandlerRegistration> _handlers = new(StringComparer.Ordinal);

    internal EventConsumerBuilder(string consumerGroup, IServiceCollection services)
    {
        ConsumerGroup = consumerGroup;
        Services = services;
    }

    public string ConsumerGroup { get; }
    public IServiceCollection Services { get; }
    public ConsumerFailurePolicy FailurePolicy { get; } = new();
    public int MaxBufferedPerPartition { get; set; } = 5_000;

    public EventConsumerBuilder Subscribe(params string[] topics)
    {
        foreach (var topic in topics)
        {
            if (!_topics.Contains(topic, StringComparer.Ordinal))
            {
                _topics.Add(topic);
            }
        }

        return this;
    }

    public EventConsumerBuilder Handle<TEvent, THandler>()
        where TEvent : IMessage<TEvent>, new()
        where THandler : class, IEventHandler<TEvent>
    {
        var registration = HandlerRegistration.For<TEvent, THandler>();
        if (!_handlers.TryAdd(registration.EventType, registration))
        {
            throw new InvalidOperationException($"Consumer group '{ConsumerGroup}' already has a handler for {registration.EventType}.");
        }

        Services.AddScoped<THandler>();
        return this;
    }

    public EventConsumerBuilder WithFailurePolicy(Action<ConsumerFailurePolicy> configure)
    {
        configure(FailurePolicy);
        return this;
    }

    internal ConsumerDefinition Build()
    {
        if (_topics.Count == 0)
        {
            throw new InvalidOperationException($"Consumer group '{ConsumerGroup}' subscribes to no topic.");
        }

        return new ConsumerDefinition(ConsumerGroup, [.. _topics], new Dictionary<string, HandlerRegistration>(_handlers), FailurePolicy, MaxBufferedPerPartition);
    }
}

public sealed record ConsumerDefinition(
    string ConsumerGroup,
    IReadOnlyList<string> Topics,
    IReadOnlyDictionary<string, HandlerRegistration> Handlers,
    ConsumerFailurePolicy FailurePolicy,
    int MaxBufferedPerPartition)
{
    /// <summary>What the group's member actually subscribes to: its topics plus its own retry topic.</summary>
    public IReadOnlyList<string> SubscribedTopics => [.. Topics, ConsumerTopics.RetryTopic(ConsumerGroup)];
}

/// <summary>Runs one consumer group for the life of the host.</summary>
public sealed class EventConsumerService(
    ConsumerDefinition definition,
    IMessageTransport transport,
    IInbox inbox,
    IServiceScopeFactory scopes,
    MessagingMetrics metrics,
    ILoggerFactory loggers,
    IDeadLetterStore? deadLetters = null,
    TimeProvider? timeProvider = null) : IHostedService, IAsyncDisposable
{
    private IMessageConsumer? _consumer;

    public ConsumerDefinition Definition => definition;
    public bool IsRunning => _consumer is not null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pipeline = new EventConsumerPipeline(definition.ConsumerGroup, definition.Handlers, definition.FailurePolicy, transport, inbox,
            deadLetters, scopes, metrics, loggers.CreateLogger("Platform.Messaging.Consumer." + definition.ConsumerGroup), timeProvider);
        var consumer = transport.CreateConsumer(
            new ConsumerSettings(definition.ConsumerGroup, definition.SubscribedTopics) { MaxBufferedPerPartition = definition.MaxBufferedPerPartition },
            pipeline.HandleAsync);
        await consumer.StartAsync(cancellationToken);
        _consumer = consumer;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var consumer = Interlocked.Exchange(ref _consumer, null);
        if (consumer is not null)
        {
            await consumer.StopAsync(cancellationToken);
            await consumer.DisposeAsync();
        }
    }

    /// <summary>Stops as a crash would (tests and the local host's fault scenarios).</summary>
    public async Task AbortAsync()
    {
        var consumer = Interlocked.Exchange(ref _consumer, null);
        if (consumer is not null)
        {
            await consumer.AbortAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
