using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Messaging;
using Platform.State;

namespace Platform.Messaging.Tests;

/// <summary>
/// One service's view of the bus for a test: its own state store (inbox, dead letters), the shared transport,
/// and a consumer group whose handler does what the test says.
/// </summary>
public sealed class BusHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<EventConsumerService> _consumers = [];

    public BusHarness(IMessageTransport transport, string topic, string group, Action<ConsumerFailurePolicy>? policy = null)
    {
        Topic = topic;
        Group = group;
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(transport);
        services.AddInMemoryStateStore("bus-test");
        services.AddPlatformMessaging("bus-test");
        services.AddSingleton(Behaviour);
        services.AddEventConsumer(group, consumer => consumer
            .Subscribe(topic)
            .Handle<StringValue, RecordingHandler>()
            .WithFailurePolicy(p =>
            {
                p.InPlaceRetries = 2;
                p.InPlaceInitialDelay = TimeSpan.FromMilliseconds(5);
                p.InPlaceMaxDelay = TimeSpan.FromMilliseconds(20);
                p.RetryTopicRounds = 1;
                p.RetryTopicDelay = TimeSpan.FromMilliseconds(200);
                policy?.Invoke(p);
            }));
        _services = services.BuildServiceProvider();
    }

    public string Topic { get; }
    public string Group { get; }
    public HandlerBehaviour Behaviour { get; } = new();
    public IEventPublisher Publisher => _services.GetRequiredService<IEventPublisher>();
    public IDeadLetterStore DeadLetters => _services.GetRequiredService<IDeadLetterStore>();
    public DeadLetterReplayer Replayer => _services.GetRequiredService<DeadLetterReplayer>();
    public IStateStore Store => _services.GetRequiredService<IStateStore>();
    public OutboxRelay Relay => _services.GetRequiredService<OutboxRelay>();

    /// <summary>Starts a new member of the group (a fresh consumer, as after a restart).</summary>
    public async Task<EventConsumerService> StartConsumerAsync()
    {
        var template = _services.GetServices<EventConsumerService>().Single();
        var consumer = new EventConsumerService(template.Definition,
            _services.GetRequiredService<IMessageTransport>(),
            _services.GetRequiredService<IInbox>(),
            _services.GetRequiredService<IServiceScopeFactory>(),
            _services.GetRequiredService<MessagingMetrics>(),
            _services.GetRequiredService<ILoggerFactory>(),
            _services.GetRequiredService<IDeadLetterStore>());
        await consumer.StartAsync(CancellationToken.None);
        _consumers.Add(consumer);
        return consumer;
    }

    public Task PublishAsync(string key, string value) => Publisher.PublishAsync(Topic, key, new StringValue { Value = value });

    public async ValueTask DisposeAsync()
    {
        foreach (var consumer in _consumers)
        {
            await consumer.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
    }
}

/// <summary>What the handler does, set per test; records every delivery and every effect.</summary>
public sealed class HandlerBehaviour
{
    public Func<StringValue, EventContext, CancellationToken, Task> OnEvent { get; set; } = (_, _, _) => Task.CompletedTask;

    public ConcurrentQueue<(string Key, string Value, string EventId)> Effects { get; } = new();
    public ConcurrentQueue<(string Value, int Attempt)> Deliveries { get; } = new();

    public int EffectCount(string value) => Effects.Count(e => e.Value == value);

    public async Task WaitForEffectsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (Effects.Count < count)
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Expected {count} effects, saw {Effects.Count} within {timeout}.");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }
}

public sealed class RecordingHandler(HandlerBehaviour behaviour) : IEventHandler<StringValue>
{
    public async Task HandleAsync(StringValue @event, EventContext context, CancellationToken cancellationToken)
    {
        behaviour.Deliveries.Enqueue((@event.Value, context.Attempt));
        await behaviour.OnEvent(@event, context, cancellationToken);
        behaviour.Effects.Enqueue((context.Envelope.Key, @event.Value, context.EventId));
    }
}
