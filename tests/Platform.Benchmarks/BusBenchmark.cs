using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Messaging;
using Platform.Messaging.InMemory;
using Platform.Messaging.Kafka;
using Platform.State;

namespace Platform.Benchmarks;

public sealed record BusBenchmarkSettings(int Events, int Partitions);

public sealed record BenchmarkResult(string Path, int Events, double Seconds, long AllocatedBytes)
{
    /// <summary>When the last produce was acknowledged; the rest of <see cref="Seconds"/> is the consumer catching up.</summary>
    public double? ProducedAfterSeconds { get; init; }

    public double EventsPerSecond => Events / Seconds;
}

/// <summary>
/// Produce + consume end to end, the same events, on the same cluster: first raw Confluent.Kafka (the ceiling),
/// then the platform's bus port (CloudEvents envelope, idempotent producer, consumer pipeline with inbox dedupe
/// and typed handler dispatch, ordered commits). Consumers join their group before the clock starts.
/// </summary>
public static class BusBenchmark
{
    private const int KeySpace = 1_000;

    public static async Task RunAsync(BusBenchmarkSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        using var cluster = new KafkaMockCluster();
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        output.WriteLine($"librdkafka mock cluster at {cluster.BootstrapServers}; {settings.Events:N0} events over {KeySpace} keys, {settings.Partitions} partitions");

        var raw = await RunRawAsync(cluster, settings, cancellationToken);
        var bus = await RunBusAsync(new KafkaTransport(new KafkaOptions { BootstrapServers = cluster.BootstrapServers, ClientId = "benchmark" }), "bus port on kafka mock", cluster, settings, cancellationToken);
        var memory = await RunBusAsync(new InMemoryTransport(new InMemoryTransportOptions { PartitionsPerTopic = settings.Partitions }), "bus port in memory", null, settings, cancellationToken);

        foreach (var result in new[] { raw, bus, memory })
        {
            output.WriteLine($"{result.Path,-28} {result.EventsPerSecond,12:N0} events/s   {result.Seconds,7:N2} s   {result.AllocatedBytes / (double)result.Events,8:N0} B allocated/event" + (result.ProducedAfterSeconds is { } p ? $"   (all produced after {p:N2} s)" : string.Empty));
        }

        output.WriteLine($"bus port / raw Confluent.Kafka on the same cluster: {bus.EventsPerSecond / raw.EventsPerSecond:P0}");
        output.WriteLine(JsonSerializer.Serialize(new
        {
            benchmark = "bus",
            events = settings.Events,
            rawKafkaEventsPerSecond = Math.Round(raw.EventsPerSecond),
            busKafkaEventsPerSecond = Math.Round(bus.EventsPerSecond),
            busInMemoryEventsPerSecond = Math.Round(memory.EventsPerSecond),
            ratio = Math.Round(bus.EventsPerSecond / raw.EventsPerSecond, 3),
        }));
    }

    private static async Task<BenchmarkResult> RunRawAsync(KafkaMockCluster cluster, BusBenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var topic = cluster.CreateTopic("bench-raw", settings.Partitions);
        var consumed = 0;
        var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var consumer = Task.Factory.StartNew(() =>
        {
            using var client = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                GroupId = KafkaMockCluster.UniqueName("bench-raw"),
                AutoOffsetReset = AutoOffsetReset.Earliest,
                EnableAutoCommit = true,
            }).SetLogHandler((_, _) => { }).Build();
            client.Subscribe(topic);
            while (!stop.IsCancellationRequested)
            {
                var result = client.Consume(TimeSpan.FromMilliseconds(100));
                if (result is null)
                {
                    continue;
                }

                if (result.Message.Key == "warm-up")
                {
                    warmedUp.TrySetResult();
                }
                else if (Interlocked.Increment(ref consumed) == settings.Events)
                {
                    done.TrySetResult();
                }
            }

            client.Close();
        }, TaskCreationOptions.LongRunning);

        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).SetLogHandler((_, _) => { }).Build();
        producer.Produce(topic, new Message<string, byte[]> { Key = "warm-up", Value = [] });
        producer.Flush(cancellationToken);
        await warmedUp.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

        var template = Envelope("sku-0");
        var payload = template.Data.ToArray();
        var started = Measure.Start();
        for (var i = 0; i < settings.Events; i++)
        {
            var key = "sku-" + (i % KeySpace);
            var headers = new Headers();
            foreach (var (name, value) in EventCodec.ToTransport(topic, template with { Id = Guid.CreateVersion7().ToString("N"), Key = key }).Headers)
            {
                headers.Add(name, Encoding.UTF8.GetBytes(value));
            }

            ProduceWithBackpressure(producer, topic, new Message<string, byte[]> { Key = key, Value = payload, Headers = headers });
        }

        producer.Flush(cancellationToken);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
        var result = started.Stop("raw Confluent.Kafka", settings.Events);
        await stop.CancelAsync();
        await consumer;
        return result;
    }

    private static async Task<BenchmarkResult> RunBusAsync(IMessageTransport transport, string path, KafkaMockCluster? cluster, BusBenchmarkSettings settings, CancellationToken cancellationToken)
    {
        var topic = KafkaMockCluster.UniqueName("bench-bus");
        var group = KafkaMockCluster.UniqueName("bench-group");
        cluster?.CreateTopicNamed(topic, settings.Partitions);
        cluster?.CreateTopicNamed(ConsumerTopics.RetryTopic(group), settings.Partitions);

        var counter = new CountingHandler.Counter(settings.Events);
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(transport);
        services.AddSingleton(counter);
        services.AddInMemoryStateStore("benchmark");
        services.AddPlatformMessaging("benchmark");
        services.AddEventConsumer(group, consumer => consumer.Subscribe(topic).Handle<StringValue, CountingHandler>());
        await using var provider = services.BuildServiceProvider();
        var consumerService = provider.GetRequiredService<EventConsumerService>();
        await consumerService.StartAsync(cancellationToken);
        var publisher = provider.GetRequiredService<IEventPublisher>();

        await publisher.PublishAsync(topic, "warm-up", new StringValue { Value = "warm-up" }, cancellationToken);
        await counter.WarmedUp.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

        var started = Measure.Start();
        const int batchSize = 5_000;
        var batch = new List<TransportMessage>(batchSize);
        var message = new StringValue { Value = "stock level changed" };
        for (var i = 0; i < settings.Events; i++)
        {
            batch.Add(EventCodec.ToTransport(topic, publisher.CreateEnvelope("sku-" + (i % KeySpace), message)));
            if (batch.Count == batchSize)
            {
                await transport.ProduceBatchAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        await transport.ProduceBatchAsync(batch, cancellationToken);
        var produced = Stopwatch.GetElapsedTime(started.StartTicks);
        await counter.Done.WaitAsync(TimeSpan.FromMinutes(5), cancellationToken);
        var result = started.Stop(path, settings.Events) with { ProducedAfterSeconds = produced.TotalSeconds };
        await consumerService.StopAsync(cancellationToken);
        await transport.DisposeAsync();
        return result;
    }

    private static EventEnvelope Envelope(string key) => new()
    {
        Id = Guid.CreateVersion7().ToString("N"),
        Type = StringValue.Descriptor.FullName,
        Source = "/platform/benchmark",
        Key = key,
        Time = DateTimeOffset.UtcNow,
        Data = new StringValue { Value = "stock level changed" }.ToByteArray(),
    };

    private static void ProduceWithBackpressure(IProducer<string, byte[]> producer, string topic, Message<string, byte[]> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message);
                return;
            }
            catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }

    private readonly record struct Measure(long StartTicks, long StartAllocated)
    {
        public static Measure Start() => new(Stopwatch.GetTimestamp(), GC.GetTotalAllocatedBytes(precise: true));

        public BenchmarkResult Stop(string path, int events) =>
            new(path, events, Stopwatch.GetElapsedTime(StartTicks).TotalSeconds, GC.GetTotalAllocatedBytes(precise: true) - StartAllocated);
    }
}

public sealed class CountingHandler(CountingHandler.Counter counter) : IEventHandler<StringValue>
{
    public Task HandleAsync(StringValue @event, EventContext context, CancellationToken cancellationToken)
    {
        counter.Observe(context.Envelope.Key);
        return Task.CompletedTask;
    }

    public sealed class Counter(int expected)
    {
        private readonly TaskCompletionSource _warmedUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;

        public Task WarmedUp => _warmedUp.Task;
        public Task Done => _done.Task;

        public void Observe(string key)
        {
            if (key == "warm-up")
            {
                _warmedUp.TrySetResult();
            }
            else if (Interlocked.Increment(ref _count) == expected)
            {
                _done.TrySetResult();
            }
        }
    }
}
