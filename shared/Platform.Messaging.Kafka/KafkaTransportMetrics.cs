using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Messaging.Kafka;

/// <summary>
/// Instruments of the Kafka consumers, on the bus's meter. Exported for Prometheus as e.g.
/// <c>platform_messaging_consumer_lag</c>; tags are the group, topic and partition (lag) or the group and
/// the kind of change (rebalances), never keys or ids.
/// </summary>
public sealed class KafkaTransportMetrics : IDisposable
{
    public const string MeterName = "Platform.Messaging";
    public const string ConsumerLag = "platform.messaging.consumer.lag";
    public const string Rebalances = "platform.messaging.consumer.rebalances";
    public const string Redeliveries = "platform.messaging.consumer.redeliveries";

    /// <summary>Values of the <c>kind</c> tag on <see cref="Rebalances"/>.</summary>
    public static class RebalanceKinds
    {
        public const string Assigned = "assigned";
        public const string Revoked = "revoked";
        public const string Lost = "lost";
    }

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _rebalances;
    private readonly Counter<long> _redeliveries;
    private readonly ConcurrentDictionary<KafkaMessageConsumer, byte> _consumers = new();

    internal KafkaTransportMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _meter.CreateObservableGauge(
            ConsumerLag,
            ObserveLag,
            "{message}",
            "Records of a partition not yet handled by this group: high watermark minus the next offset to handle (or the committed offset before anything was read).");
        _rebalances = _meter.CreateCounter<long>(Rebalances, "{rebalance}", "Partition assignments, revocations and losses seen by the group's members, by kind.");
        _redeliveries = _meter.CreateCounter<long>(Redeliveries, "{record}", "Records delivered again because the handler threw.");
    }

    internal void Register(KafkaMessageConsumer consumer) => _consumers.TryAdd(consumer, 0);

    internal void Unregister(KafkaMessageConsumer consumer) => _consumers.TryRemove(consumer, out _);

    internal void Rebalanced(string group, string kind) =>
        _rebalances.Add(1, new TagList { { "group", group }, { "kind", kind } });

    internal void Redelivered(string group, string topic) =>
        _redeliveries.Add(1, new TagList { { "group", group }, { "topic", topic } });

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        // Called on the exporter's thread: reads only values the poll thread cached, never the client.
        var measurements = new List<Measurement<long>>();
        foreach (var consumer in _consumers.Keys)
        {
            foreach (var partition in consumer.Partitions)
            {
                var lag = partition.Lag;
                if (lag is not null)
                {
                    measurements.Add(new Measurement<long>(lag.Value, new TagList
                    {
                        { "group", consumer.GroupId },
                        { "topic", partition.TopicPartition.Topic },
                        { "partition", partition.TopicPartition.Partition.Value },
                    }));
                }
            }
        }

        return measurements;
    }

    public void Dispose()
    {
        _consumers.Clear();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
