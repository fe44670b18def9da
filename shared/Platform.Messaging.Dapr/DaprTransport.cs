using Dapr.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Platform.Messaging.Dapr;

/// <summary>
/// The bus port on Dapr pub/sub. Records are published through the sidecar as raw payloads with their headers as
/// metadata and the record key as partition key, so on the Kafka component they land exactly as the direct Kafka
/// transport writes them. Records arrive pushed by the sidecar to <see cref="Subscriptions"/>.
/// </summary>
public sealed class DaprTransport : IMessageTransport
{
    private const string OctetStream = "application/octet-stream";

    private readonly DaprClient _client;
    private readonly DaprTransportOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly DaprSubscriptionRegistry _registry = new();
    private readonly PartitionGates _gates = new();
    private int _disposed;

    public DaprTransport(DaprClient client, DaprTransportOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _client = client;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Subscriptions = new DaprSubscriptionEndpoint(options, _registry, timeProvider ?? TimeProvider.System, _loggerFactory.CreateLogger<DaprSubscriptionEndpoint>());
    }

    public string Name => "dapr";

    /// <summary>What the sidecar calls: mount it with <c>app.UseDaprSubscriptions()</c> (AddDaprTransport does).</summary>
    public DaprSubscriptionEndpoint Subscriptions { get; }

    /// <summary>True while at least one consumer takes deliveries (what the sidecar's app health check should see).</summary>
    public bool HasRunningConsumers => _registry.HasRunning;

    /// <summary>
    /// Returns once the sidecar answered, which for the Kafka component is after the broker acknowledged the record
    /// (its producer waits for all in-sync replicas).
    /// </summary>
    public async Task ProduceAsync(TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var contentType = message.Headers.TryGetValue(EventHeaders.ContentType, out var declared) && !string.IsNullOrEmpty(declared) ? declared : OctetStream;
        await _client.PublishByteEventAsync(_options.PubSubName, message.Topic, message.Value, contentType,
            DaprRecordHeaders.ToPublishMetadata(message), cancellationToken);
    }

    /// <summary>
    /// Keys are published concurrently, the records of one key strictly one after another: the component's producer
    /// is not idempotent, so only one record of a key may be in flight for its order to survive a retry.
    /// </summary>
    public async Task ProduceBatchAsync(IReadOnlyList<TransportMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var byKey = new Dictionary<string, List<TransportMessage>>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            if (!byKey.TryGetValue(message.Key, out var sameKey))
            {
                byKey[message.Key] = sameKey = [];
            }

            sameKey.Add(message);
        }

        await Parallel.ForEachAsync(byKey.Values, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrentPublishes, CancellationToken = cancellationToken },
            async (sameKey, token) =>
            {
                foreach (var message in sameKey)
                {
                    await ProduceAsync(message, token);
                }
            });
    }

    public IMessageConsumer CreateConsumer(ConsumerSettings settings, MessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (settings.Topics.Count == 0)
        {
            throw new ArgumentException($"Consumer group '{settings.GroupId}' subscribes to no topic.", nameof(settings));
        }

        _registry.Declare(settings.Topics);
        return new DaprConsumer(_registry, _gates, settings, handler, _options.StopTimeout, _loggerFactory.CreateLogger<DaprConsumer>());
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var consumer in _registry.Running())
        {
            await consumer.StopAsync();
        }
    }
}
