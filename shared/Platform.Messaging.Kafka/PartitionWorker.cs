using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Platform.Messaging.Kafka;

/// <summary>
/// Serves one assigned partition: the poll thread appends records, one task hands them to the handler in offset
/// order and stores each offset once its handler returned. Offsets therefore advance in order and never past a
/// record whose effect is not done.
/// </summary>
internal sealed class PartitionWorker
{
    private const long Unknown = -1;

    private readonly Channel<ConsumeResult<string, byte[]>> _queue =
        Channel.CreateUnbounded<ConsumeResult<string, byte[]>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly IConsumer<string, byte[]> _consumer;
    private readonly MessageHandler _handler;
    private readonly KafkaOptions _options;
    private readonly KafkaTransportMetrics _metrics;
    private readonly string _group;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopTaking = new();
    private readonly CancellationTokenSource _cancelHandler = new();
    private readonly Lock _storeLock = new();
    private bool _mayStore = true;
    private int _buffered;
    private long _nextToHandle = Unknown;
    private long _storedOffset = Unknown;
    private long _highWatermark = Unknown;

    public PartitionWorker(
        TopicPartition topicPartition,
        IConsumer<string, byte[]> consumer,
        MessageHandler handler,
        KafkaOptions options,
        KafkaTransportMetrics metrics,
        string group,
        ILogger logger)
    {
        TopicPartition = topicPartition;
        _consumer = consumer;
        _handler = handler;
        _options = options;
        _metrics = metrics;
        _group = group;
        _logger = logger;
        Completion = Task.Run(RunAsync);
    }

    public TopicPartition TopicPartition { get; }

    public Task Completion { get; }

    /// <summary>Records taken from the client and not yet handed to the handler.</summary>
    public int Buffered => Volatile.Read(ref _buffered);

    /// <summary>Set and read by the poll thread only.</summary>
    public bool Paused { get; set; }

    /// <summary>Next offset to commit (last handled offset + 1), or null while nothing was handled.</summary>
    public long? StoredOffset
    {
        get
        {
            var stored = Interlocked.Read(ref _storedOffset);
            return stored == Unknown ? null : stored;
        }
    }

    /// <summary>Set and read by the poll thread only: the committed offset was asked for the lag gauge.</summary>
    public bool StartPositionQueried { get; set; }

    /// <summary>Offset the poll thread last committed (or saw committed) for this partition.</summary>
    public long CommittedOffset { get; set; } = Unknown;

    /// <summary>Cached for the lag gauge: records behind the high watermark, or null while either end is unknown.</summary>
    public long? Lag
    {
        get
        {
            var high = Interlocked.Read(ref _highWatermark);
            var next = Interlocked.Read(ref _nextToHandle);
            return high == Unknown || next == Unknown ? null : Math.Max(0, high - next);
        }
    }

    public bool HasPosition => Interlocked.Read(ref _nextToHandle) != Unknown;

    public void UpdateHighWatermark(long highWatermark) => Interlocked.Exchange(ref _highWatermark, highWatermark);

    /// <summary>Where handling starts when nothing was read yet (the committed offset, or the log start).</summary>
    public void UpdateStartPosition(long offset) => Interlocked.CompareExchange(ref _nextToHandle, offset, Unknown);

    public void Enqueue(ConsumeResult<string, byte[]> record)
    {
        UpdateStartPosition(record.Offset.Value);
        Interlocked.Increment(ref _buffered);
        _queue.Writer.TryWrite(record);
    }

    /// <summary>Lets the record in hand finish, then stops; buffered records are left to whoever reads next.</summary>
    public void StopTaking() => _stopTaking.Cancel();

    /// <summary>Cancels the handler in hand as well: its record stays uncommitted.</summary>
    public void CancelHandler()
    {
        _stopTaking.Cancel();
        _cancelHandler.Cancel();
    }

    /// <summary>
    /// Called once the partition is no longer ours (or the member is going away): a handler that ignored
    /// cancellation and returns later must not store an offset for a partition another member now serves.
    /// Returns the offset to commit for what was handled, if any.
    /// </summary>
    public long? Seal()
    {
        lock (_storeLock)
        {
            _mayStore = false;
        }

        _queue.Writer.TryComplete();
        return StoredOffset;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopTaking.Token))
            {
                while (!_stopTaking.IsCancellationRequested && reader.TryRead(out var record))
                {
                    Interlocked.Decrement(ref _buffered);
                    if (!await HandleUntilDoneAsync(record))
                    {
                        return;
                    }

                    Store(record.Offset.Value + 1);
                }
            }
        }
        catch (OperationCanceledException) when (_stopTaking.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
        catch (Exception exception)
        {
            // Nothing past the handler is expected to throw; if it does, the partition stops here (uncommitted)
            // rather than skipping a record, and the next rebalance hands it to a healthy worker.
            _logger.LogCritical(exception, "Worker of group {Group} for {TopicPartition} stopped unexpectedly", _group, TopicPartition);
        }
    }

    /// <summary>True once the handler returned; false when stopping interrupted it or its retries.</summary>
    private async Task<bool> HandleUntilDoneAsync(ConsumeResult<string, byte[]> record)
    {
        var message = KafkaRecords.FromKafka(record);
        var delay = _options.HandlerRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _handler(message, _cancelHandler.Token);
                return true;
            }
            catch (OperationCanceledException) when (_cancelHandler.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception exception)
            {
                // Only the key-free coordinates are logged: keys and payloads may identify a person.
                _logger.LogWarning(
                    exception,
                    "Handler of group {Group} failed on {Topic} [{Partition}] @{Offset} (attempt {Attempt}); delivering it again in {Delay}",
                    _group, record.Topic, record.Partition.Value, record.Offset.Value, attempt, delay);
                _metrics.Redelivered(_group, record.Topic);
            }

            try
            {
                await Task.Delay(delay, _stopTaking.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.HandlerRetryMaxDelay.Ticks));
        }
    }

    private void Store(long nextOffset)
    {
        lock (_storeLock)
        {
            if (!_mayStore)
            {
                return;
            }

            try
            {
                _consumer.StoreOffset(new TopicPartitionOffset(TopicPartition, nextOffset));
                Interlocked.Exchange(ref _storedOffset, nextOffset);
            }
            catch (KafkaException exception)
            {
                // The partition was taken away between the handler returning and this store (Local_State):
                // the record is handled again by the next owner, which the inbox above makes harmless.
                _logger.LogDebug(exception, "Could not store offset {Offset} of {TopicPartition} for group {Group}", nextOffset, TopicPartition, _group);
            }
            catch (ObjectDisposedException)
            {
            }

            Interlocked.Exchange(ref _nextToHandle, nextOffset);
        }
    }
}
