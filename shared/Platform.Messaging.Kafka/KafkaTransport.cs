using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Platform.Messaging.Kafka;

/// <summary>
/// The bus port on Kafka. One idempotent producer (acks=all) is shared by everything the process produces;
/// idempotence is what keeps per-partition, and so per-key, order intact through the client's own retries.
/// </summary>
public sealed class KafkaTransport : IMessageTransport
{
    private const int MaxFailuresKept = 10;
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FlushOnDisposeTimeout = TimeSpan.FromSeconds(10);

    private readonly KafkaOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly KafkaTransportMetrics _metrics;
    private readonly ConcurrentDictionary<KafkaMessageConsumer, byte> _consumers = new();
    private readonly Lock _producerLock = new();
    private IProducer<string, byte[]>? _producer;
    private int _disposed;

    public KafkaTransport(KafkaOptions options, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<KafkaTransport>();
        _metrics = new KafkaTransportMetrics(meterFactory);
    }

    public string Name => "kafka";

    public async Task ProduceAsync(TransportMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var delivery = new BatchDelivery(1);
        await EnqueueAsync(message, delivery, cancellationToken);
        delivery.Enqueued();
        await delivery.Completion.WaitAsync(cancellationToken);
    }

    public async Task ProduceBatchAsync(IReadOnlyList<TransportMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        var delivery = new BatchDelivery(messages.Count);
        var handedOver = 0;
        try
        {
            // Records are handed to the client one after another, so records of one key enter their partition's
            // queue in list order; idempotence keeps that order through retries.
            foreach (var message in messages)
            {
                await EnqueueAsync(message, delivery, cancellationToken);
                handedOver++;
            }
        }
        catch (ProduceException<string, byte[]> exception)
        {
            // The client refused a record outright (too large, unknown topic...). The rest is not sent, since it
            // could overtake a record of the same key; what was handed over is still awaited below.
            delivery.Refused(exception, messages.Count - handedOver);
        }
        finally
        {
            // Whatever was handed over is still awaited: the batch completes once every enqueued record is settled.
            delivery.Enqueued();
        }

        await delivery.Completion.WaitAsync(cancellationToken);
    }

    public IMessageConsumer CreateConsumer(ConsumerSettings settings, MessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(handler);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var consumer = new KafkaMessageConsumer(_options, settings, handler, _metrics, _loggerFactory.CreateLogger<KafkaMessageConsumer>(),
            closed => _consumers.TryRemove(closed, out _));
        _consumers.TryAdd(consumer, 0);
        return consumer;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var consumer in _consumers.Keys)
        {
            await consumer.StopAsync();
        }

        _consumers.Clear();
        IProducer<string, byte[]>? producer;
        lock (_producerLock)
        {
            producer = _producer;
            _producer = null;
        }

        if (producer is not null)
        {
            await Task.Run(() =>
            {
                var unsent = producer.Flush(FlushOnDisposeTimeout);
                if (unsent > 0)
                {
                    _logger.LogWarning("Kafka producer closed with {Unsent} record(s) not yet acknowledged", unsent);
                }

                producer.Dispose();
            });
        }

        _metrics.Dispose();
    }

    private async Task EnqueueAsync(TransportMessage message, BatchDelivery delivery, CancellationToken cancellationToken)
    {
        var record = KafkaRecords.ToKafka(message);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var producer = Producer();
            try
            {
                delivery.Expect();
                producer.Produce(message.Topic, record, delivery.OnDelivered);
                return;
            }
            catch (ProduceException<string, byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
            {
                // The client's send queue is full; it drains as the brokers acknowledge.
                delivery.Unexpect();
                await Task.Delay(QueueFullBackoff, cancellationToken);
            }
            catch
            {
                delivery.Unexpect();
                throw;
            }
        }
    }

    private IProducer<string, byte[]> Producer()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var producer = Volatile.Read(ref _producer);
        if (producer is not null)
        {
            return producer;
        }

        lock (_producerLock)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _producer ??= BuildProducer();
        }
    }

    private IProducer<string, byte[]> BuildProducer()
    {
        var config = new ProducerConfig(MergeSettings(_options.ClientSettings, _options.ProducerSettings))
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = _options.ClientId,
            EnableIdempotence = true,
            Acks = Acks.All,
        };

        // Delivery reports are only read for their status; by default the client copies key, value and headers back
        // into every report, which measured as the largest cost of producing.
        if (!_options.ClientSettings.ContainsKey("dotnet.producer.delivery.report.fields") && !_options.ProducerSettings.ContainsKey("dotnet.producer.delivery.report.fields"))
        {
            config.DeliveryReportFields = "status";
        }

        return new ProducerBuilder<string, byte[]>(config)
            .SetErrorHandler((producer, error) =>
            {
                LogClientError(_logger, "producer", error);
                if (error.IsFatal)
                {
                    Retire(producer);
                }
            })
            .SetLogHandler((_, message) => LogClientMessage(_logger, message))
            .Build();
    }

    /// <summary>
    /// A fatal error (e.g. the idempotent sequence can no longer be kept) makes a producer useless for good: its
    /// pending records fail, and the next produce gets a fresh producer with a new producer id instead of failing
    /// until the process restarts.
    /// </summary>
    private void Retire(IProducer<string, byte[]> producer)
    {
        lock (_producerLock)
        {
            if (ReferenceEquals(_producer, producer))
            {
                _producer = null;
            }
        }

        // Disposing on the client's own callback thread would deadlock.
        _ = Task.Run(producer.Dispose);
    }

    internal static IDictionary<string, string> MergeSettings(params Dictionary<string, string>[] layers)
    {
        var merged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            foreach (var (key, value) in layer)
            {
                merged[key.Trim()] = value;
            }
        }

        return merged;
    }

    internal static void LogClientError(ILogger logger, string client, Error error)
    {
        if (error.IsFatal)
        {
            logger.LogCritical("Kafka {Client} hit a fatal error: {Reason} ({Code})", client, error.Reason, error.Code);
        }
        else
        {
            // Transient by nature (a broker restarting, a connection dropped): the client retries by itself.
            logger.LogWarning("Kafka {Client} error: {Reason} ({Code})", client, error.Reason, error.Code);
        }
    }

    internal static void LogClientMessage(ILogger logger, LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Critical,
            SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        logger.Log(level, "librdkafka {Client} {Facility}: {Message}", message.Name, message.Facility, message.Message);
    }

    /// <summary>
    /// Settles when every record handed to the client got its delivery report. The count starts one above the
    /// records so the batch cannot complete while the caller is still enqueueing.
    /// </summary>
    private sealed class BatchDelivery(int size)
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<ProduceException<string, byte[]>> _failures = [];
        private int _pending = 1;
        private int _failed;

        public Task Completion => _completion.Task;

        public void Expect() => Interlocked.Increment(ref _pending);

        public void Unexpect() => Settle();

        public void Enqueued() => Settle();

        public void OnDelivered(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Fail(new ProduceException<string, byte[]>(report.Error, report), 1);
            }

            Settle();
        }

        public void Refused(ProduceException<string, byte[]> exception, int notSent) => Fail(exception, notSent);

        private void Fail(ProduceException<string, byte[]> exception, int records)
        {
            Interlocked.Add(ref _failed, records);
            lock (_failures)
            {
                if (_failures.Count < MaxFailuresKept)
                {
                    _failures.Add(exception);
                }
            }
        }

        private void Settle()
        {
            if (Interlocked.Decrement(ref _pending) != 0)
            {
                return;
            }

            lock (_failures)
            {
                if (_failures.Count == 0)
                {
                    _completion.TrySetResult();
                }
                else if (size == 1)
                {
                    _completion.TrySetException(_failures[0]);
                }
                else
                {
                    _completion.TrySetException(new ProduceBatchException(Volatile.Read(ref _failed), size, [.. _failures]));
                }
            }
        }
    }
}

/// <summary>Some records of a batch were not acknowledged; the others were, and stay written.</summary>
public sealed class ProduceBatchException(int failed, int total, IReadOnlyList<ProduceException<string, byte[]>> failures)
    : Exception($"{failed} of {total} record(s) were not delivered; first failure: {failures[0].Error.Reason} ({failures[0].Error.Code})", failures[0])
{
    public int Failed { get; } = failed;

    public int Total { get; } = total;

    /// <summary>The first few failures, each with the record and the broker's error.</summary>
    public IReadOnlyList<ProduceException<string, byte[]>> Failures { get; } = failures;
}
