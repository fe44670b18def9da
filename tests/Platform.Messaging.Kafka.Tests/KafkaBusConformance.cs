using Platform.Messaging.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Platform.Messaging.Tests;
using Platform.Testing;
using Xunit.Abstractions;

namespace Platform.Messaging.Kafka.Tests;

/// <summary>The bus port's contract, with the consumer pipeline above it, on Kafka (the mock cluster).</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaBusConformance : BusConformance, IAsyncLifetime
{
    private readonly KafkaMockCluster _cluster;
    private readonly KafkaTransport _transport;

    private readonly ILoggerFactory _loggerFactory;

    public KafkaBusConformance(KafkaMockCluster cluster, ITestOutputHelper output)
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(new TestOutputLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));
        _cluster = cluster;
        var options = new KafkaOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = "bus-conformance",
            PollTimeout = TimeSpan.FromMilliseconds(50),
            HandlerRetryDelay = TimeSpan.FromMilliseconds(50),
            HandlerRetryMaxDelay = TimeSpan.FromMilliseconds(200),
            HandlerStopTimeout = TimeSpan.FromSeconds(5),
        };

        // Here a group's retry topic comes into being with the first record written to it (deployments create it
        // beforehand), and a member notices a subscribed topic appearing only at its next metadata refresh.
        options.ConsumerSettings["topic.metadata.refresh.interval.ms"] = "500";
        options.ConsumerSettings["session.timeout.ms"] = "2000";
        options.ConsumerSettings["heartbeat.interval.ms"] = "200";
        _transport = new KafkaTransport(options, _loggerFactory);
    }

    protected override IMessageTransport Transport => _transport;

    protected override Task<IReadOnlyList<ReceivedMessage>> ReadTopicAsync(string topic, int expected, TimeSpan timeout) =>
        Task.Run<IReadOnlyList<ReceivedMessage>>(() =>
        {
            var deadline = DateTime.UtcNow + timeout;
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).SetLogHandler((_, _) => { }).Build();
            var partitions = 0;
            while (partitions == 0 && DateTime.UtcNow < deadline)
            {
                var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(1)).Topics.SingleOrDefault(t => t.Topic == topic);
                partitions = metadata is { Error.IsError: false } ? metadata.Partitions.Count : 0;
                if (partitions == 0)
                {
                    Thread.Sleep(50);
                }
            }

            var records = new List<ReceivedMessage>();
            if (partitions == 0)
            {
                return records;
            }

            var config = new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = KafkaMockCluster.UniqueName("reader"), EnableAutoCommit = false };
            using var reader = new ConsumerBuilder<string, byte[]>(config).SetLogHandler((_, _) => { }).Build();
            reader.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            while (records.Count < expected && DateTime.UtcNow < deadline)
            {
                if (reader.Consume(TimeSpan.FromMilliseconds(100)) is { Message: not null } result)
                {
                    records.Add(KafkaRecords.FromKafka(result));
                }
            }

            reader.Close();
            return records;
        });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _transport.DisposeAsync();
        _loggerFactory.Dispose();
    }
}
