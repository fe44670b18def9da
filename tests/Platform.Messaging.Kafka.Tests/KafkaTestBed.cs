using Platform.Messaging.Kafka;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Platform.Testing;
using Xunit.Abstractions;

namespace Platform.Messaging.Kafka.Tests;

/// <summary>
/// One test's transport on the shared mock cluster, tuned to react fast, plus the members it started, which are
/// stopped when the test ends so no group outlives its test.
/// </summary>
internal sealed class KafkaTestBed : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly List<IMessageConsumer> _consumers = [];
    private readonly ILoggerFactory _loggerFactory;

    public KafkaTestBed(KafkaMockCluster cluster, ITestOutputHelper output, Action<KafkaOptions>? configure = null)
    {
        Cluster = cluster;
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));
        Options = new KafkaOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = "kafka-transport-tests",
            PollTimeout = TimeSpan.FromMilliseconds(50),
            HandlerRetryDelay = TimeSpan.FromMilliseconds(50),
            HandlerRetryMaxDelay = TimeSpan.FromMilliseconds(200),
            HandlerStopTimeout = TimeSpan.FromSeconds(5),
            LagRefreshInterval = TimeSpan.FromMilliseconds(100),
        };

        // The mock broker waits session.timeout.ms - 1 s before completing any rebalance but a group's very first one,
        // also when a member joins a group whose last member just left: a short session keeps that wait at a second.
        Options.ConsumerSettings["session.timeout.ms"] = "2000";
        Options.ConsumerSettings["heartbeat.interval.ms"] = "200";
        configure?.Invoke(Options);
        Transport = new KafkaTransport(Options, _loggerFactory);
    }

    public KafkaMockCluster Cluster { get; }

    public KafkaOptions Options { get; }

    public KafkaTransport Transport { get; }

    public async Task<IMessageConsumer> StartConsumerAsync(string group, string topic, MessageHandler handler, int maxBufferedPerPartition = 500)
    {
        var consumer = Transport.CreateConsumer(new ConsumerSettings(group, [topic]) { MaxBufferedPerPartition = maxBufferedPerPartition }, handler);
        _consumers.Add(consumer);
        await consumer.StartAsync();
        return consumer;
    }

    public static TransportMessage Message(string topic, string key, string value, IReadOnlyDictionary<string, string>? headers = null) =>
        new(topic, key, headers ?? new Dictionary<string, string> { ["x-test"] = "1" }, Encoding.UTF8.GetBytes(value));

    public static string Text(ReceivedMessage message) => Encoding.UTF8.GetString(message.Value.Span);

    /// <summary>Everything the topic holds, read outside any group from the beginning to the current end.</summary>
    public List<ConsumeResult<string, byte[]>> ReadTopic(string topic, int partitions)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = Cluster.BootstrapServers,
            GroupId = KafkaMockCluster.UniqueName("reader"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        };
        using var reader = new ConsumerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build();
        reader.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        var records = new List<ConsumeResult<string, byte[]>>();
        var atEnd = new HashSet<int>();
        var deadline = DateTime.UtcNow + Patience;
        while (atEnd.Count < partitions && DateTime.UtcNow < deadline)
        {
            var result = reader.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                atEnd.Add(result.Partition.Value);
            }
            else
            {
                records.Add(result);
            }
        }

        Assert.True(atEnd.Count == partitions, $"only {atEnd.Count} of {partitions} partitions of {topic} were read to the end");
        reader.Close();
        return records;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {what}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var consumer in _consumers)
        {
            await consumer.DisposeAsync();
        }

        await Transport.DisposeAsync();
        _loggerFactory.Dispose();
    }
}

/// <summary>Listens to the transport's instruments for one consumer group.</summary>
internal sealed class TransportMetricsCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _group;
    private readonly ConcurrentDictionary<(string Name, string Kind), long> _counters = new();
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _lag = new();

    public TransportMetricsCapture(string group)
    {
        _group = group;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == KafkaTransportMetrics.MeterName && instrument.Name.StartsWith("platform.messaging.consumer.", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? group = null, kind = null, topic = null;
            int? partition = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "group": group = tag.Value as string; break;
                    case "kind": kind = tag.Value as string; break;
                    case "topic": topic = tag.Value as string; break;
                    case "partition": partition = tag.Value as int?; break;
                }
            }

            if (group != _group)
            {
                return;
            }

            if (instrument.Name == KafkaTransportMetrics.ConsumerLag && topic is not null && partition is not null)
            {
                _lag[(topic, partition.Value)] = value;
            }
            else
            {
                _counters.AddOrUpdate((instrument.Name, kind ?? ""), value, (_, sum) => sum + value);
            }
        });
        _listener.Start();
    }

    public long Count(string instrument, string kind = "") => _counters.GetValueOrDefault((instrument, kind));

    /// <summary>Collects the lag gauge now; null while the transport reports nothing for that partition.</summary>
    public long? Lag(string topic, int partition)
    {
        _lag.Clear();
        _listener.RecordObservableInstruments();
        return _lag.TryGetValue((topic, partition), out var lag) ? lag : null;
    }

    public void Dispose() => _listener.Dispose();
}
