using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Platform.Messaging.Kafka;

/// <summary>
/// A consumer-group member. One dedicated thread polls and owns the client (subscribe, pause, resume, commit,
/// close, and the rebalance callbacks that run inside Consume); handlers run on one task per assigned partition.
/// The poll thread never waits for a handler while records flow, so a slow handler cannot push the member past
/// <c>max.poll.interval.ms</c> and out of the group: its partition's queue fills, the partition is paused, and
/// it is resumed once the queue is half drained.
/// </summary>
internal sealed class KafkaMessageConsumer : IMessageConsumer
{
    private const int Created = 0, Running = 1, Stopping = 2;
    private static readonly TimeSpan CommittedQueryTimeout = TimeSpan.FromSeconds(1);

    private readonly KafkaOptions _options;
    private readonly ConsumerSettings _settings;
    private readonly MessageHandler _handler;
    private readonly KafkaTransportMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Action<KafkaMessageConsumer> _onClosed;
    private readonly ConcurrentDictionary<TopicPartition, PartitionWorker> _workers = new();
    private readonly List<PartitionWorker> _paused = [];
    private readonly CancellationTokenSource _stopPolling = new();
    private readonly CancellationTokenSource _cancelHandlers = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _aborting;
    private int _state = Created;

    public KafkaMessageConsumer(
        KafkaOptions options,
        ConsumerSettings settings,
        MessageHandler handler,
        KafkaTransportMetrics metrics,
        ILogger logger,
        Action<KafkaMessageConsumer> onClosed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.GroupId, nameof(settings.GroupId));
        if (settings.Topics.Count == 0 || settings.Topics.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"Consumer of group '{settings.GroupId}' needs at least one topic, and no empty topic names.", nameof(settings));
        }

        if (settings.MaxBufferedPerPartition < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.MaxBufferedPerPartition, $"{nameof(ConsumerSettings.MaxBufferedPerPartition)} must be at least 1.");
        }

        _options = options;
        _settings = settings;
        _handler = handler;
        _metrics = metrics;
        _logger = logger;
        _onClosed = onClosed;
    }

    public string GroupId => _settings.GroupId;

    /// <summary>Partitions this member serves now; read by the lag gauge.</summary>
    internal IEnumerable<PartitionWorker> Partitions => _workers.Values;

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, Running, Created) != Created)
        {
            throw new InvalidOperationException($"Consumer of group '{GroupId}' was already started (a member starts once; create another for a restart).");
        }

        var consumer = BuildClient();
        try
        {
            consumer.Subscribe(_settings.Topics);
        }
        catch
        {
            consumer.Dispose();
            Closed();
            throw;
        }

        _metrics.Register(this);
        new Thread(() => PollLoop(consumer)) { IsBackground = true, Name = $"kafka-poll:{GroupId}" }.Start();
        _logger.LogInformation("Consumer of group {Group} subscribed to {Topics}", GroupId, string.Join(", ", _settings.Topics));
        return Task.CompletedTask;
    }

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(30);
    private bool _abandoned;

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!RequestStop())
        {
            return;
        }

        // A caller that runs out of patience turns the graceful stop into a cancelling one; what the handlers
        // completed is still committed.
        await using var escalate = cancellationToken.Register(() => _cancelHandlers.Cancel());
        await _closed.Task;
    }

    public async Task AbortAsync()
    {
        _aborting = true;
        _cancelHandlers.Cancel();
        if (!RequestStop())
        {
            return;
        }

        await _closed.Task;
    }

    // The token sources stay undisposed on purpose: a late Stop or Abort after Dispose must stay a harmless no-op,
    // and sources without timers or wait handles hold nothing to release.
    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>False when the member never started, so there is nothing to wait for.</summary>
    private bool RequestStop()
    {
        if (Interlocked.CompareExchange(ref _state, Stopping, Created) == Created)
        {
            Closed();
            return false;
        }

        Interlocked.Exchange(ref _state, Stopping);
        _stopPolling.Cancel();
        return true;
    }

    private IConsumer<string, byte[]> BuildClient()
    {
        var config = new ConsumerConfig(KafkaTransport.MergeSettings(_options.ClientSettings, _options.ConsumerSettings))
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = _options.ClientId,
            GroupId = GroupId,
            EnableAutoOffsetStore = false,
            EnableAutoCommit = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };

        // A subscribed topic that does not exist yet (typically the group's own retry topic before its first retry)
        // is otherwise noticed only at the next metadata refresh, five minutes by default: a retry would wait that
        // long. Asking for it creates it where the cluster allows auto-creation, and a short refresh finds it where the
        // cluster creates it some other way (a KafkaTopic object, the first produce).
        if (!IsConfigured("allow.auto.create.topics"))
        {
            config.AllowAutoCreateTopics = true;
        }

        if (!IsConfigured("topic.metadata.refresh.interval.ms"))
        {
            config.TopicMetadataRefreshIntervalMs = 10_000;
        }

        // Cooperative rebalancing only moves the partitions that change owner, so a member joining or leaving
        // does not stop every other partition of the group. A deployment may still choose another assignor.
        if (!IsConfigured("partition.assignment.strategy"))
        {
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
        }

        bool IsConfigured(string setting) => _options.ConsumerSettings.ContainsKey(setting) || _options.ClientSettings.ContainsKey(setting);

        return new ConsumerBuilder<string, byte[]>(config)
            .SetPartitionsAssignedHandler((client, partitions) => OnAssigned(client, partitions))
            .SetPartitionsRevokedHandler((client, partitions) => OnRevoked(client, partitions.Select(p => p.TopicPartition).ToList(), lost: false))
            .SetPartitionsLostHandler((client, partitions) => OnRevoked(client, partitions.Select(p => p.TopicPartition).ToList(), lost: true))
            .SetOffsetsCommittedHandler((_, committed) => OnCommitted(committed))
            .SetErrorHandler((_, error) => KafkaTransport.LogClientError(_logger, $"consumer of group {GroupId}", error))
            .SetLogHandler((_, message) => KafkaTransport.LogClientMessage(_logger, message))
            .Build();
    }

    private void PollLoop(IConsumer<string, byte[]> consumer)
    {
        var lagRefreshTicks = (long)(_options.LagRefreshInterval.TotalSeconds * Stopwatch.Frequency);
        var nextLagRefresh = Stopwatch.GetTimestamp();
        try
        {
            while (!_stopPolling.IsCancellationRequested)
            {
                ConsumeResult<string, byte[]>? record = null;
                try
                {
                    record = consumer.Consume(_options.PollTimeout);
                }
                catch (ConsumeException exception) when (!exception.Error.IsFatal)
                {
                    _logger.LogWarning("Consumer of group {Group} got an error while polling: {Reason} ({Code})", GroupId, exception.Error.Reason, exception.Error.Code);
                }

                if (record is { IsPartitionEOF: false, Message: not null })
                {
                    Dispatch(consumer, record);
                }

                ResumeDrained(consumer);
                if (Stopwatch.GetTimestamp() >= nextLagRefresh)
                {
                    RefreshLag(consumer);
                    nextLagRefresh = Stopwatch.GetTimestamp() + lagRefreshTicks;
                }
            }
        }
        catch (Exception exception)
        {
            _logger.LogCritical(exception, "Consumer of group {Group} stopped polling after an unrecoverable error; its partitions go to the other members", GroupId);
        }
        finally
        {
            Shutdown(consumer);
        }
    }

    private void Dispatch(IConsumer<string, byte[]> consumer, ConsumeResult<string, byte[]> record)
    {
        if (!_workers.TryGetValue(record.TopicPartition, out var worker))
        {
            // Not ours (any more): left unstored, so the partition's owner reads it.
            _logger.LogDebug("Consumer of group {Group} skipped a record of unassigned {TopicPartition}", GroupId, record.TopicPartition);
            return;
        }

        worker.Enqueue(record);
        if (!worker.Paused && worker.Buffered >= _settings.MaxBufferedPerPartition)
        {
            // Pausing discards what the client already fetched for the partition and later resumes right after the
            // last record handed out here, so nothing is skipped or read twice.
            if (TrySetPaused(consumer, worker, paused: true))
            {
                _paused.Add(worker);
            }
        }
    }

    private void ResumeDrained(IConsumer<string, byte[]> consumer)
    {
        var resumeAt = _settings.MaxBufferedPerPartition / 2;
        for (var i = _paused.Count - 1; i >= 0; i--)
        {
            var worker = _paused[i];
            if (worker.Buffered <= resumeAt && TrySetPaused(consumer, worker, paused: false))
            {
                _paused.RemoveAt(i);
            }
        }
    }

    private bool TrySetPaused(IConsumer<string, byte[]> consumer, PartitionWorker worker, bool paused)
    {
        try
        {
            if (paused)
            {
                consumer.Pause([worker.TopicPartition]);
            }
            else
            {
                consumer.Resume([worker.TopicPartition]);
            }

            worker.Paused = paused;
            return true;
        }
        catch (KafkaException exception)
        {
            _logger.LogWarning(exception, "Consumer of group {Group} could not {Action} {TopicPartition}", GroupId, paused ? "pause" : "resume", worker.TopicPartition);
            return false;
        }
    }

    /// <summary>
    /// Caches what the lag gauge needs. The high watermark comes from the client's last fetch response (no request);
    /// a paused partition is not fetched, so its watermark is as old as its pause, which lasts until half its
    /// buffer is handled.
    /// </summary>
    private void RefreshLag(IConsumer<string, byte[]> consumer)
    {
        List<PartitionWorker>? withoutPosition = null;
        foreach (var worker in _workers.Values)
        {
            try
            {
                var watermarks = consumer.GetWatermarkOffsets(worker.TopicPartition);
                if (watermarks.High.Value >= 0)
                {
                    worker.UpdateHighWatermark(watermarks.High.Value);
                }

                if (!worker.HasPosition && !worker.StartPositionQueried)
                {
                    var position = consumer.Position(worker.TopicPartition);
                    if (position.Value >= 0)
                    {
                        worker.UpdateStartPosition(position.Value);
                    }
                    else
                    {
                        (withoutPosition ??= []).Add(worker);
                    }
                }
            }
            catch (KafkaException)
            {
                // Revoked while this ran: the next refresh no longer sees it.
            }
        }

        if (withoutPosition is null)
        {
            return;
        }

        // Nothing read yet from these partitions (idle or just assigned): start from what the group committed, which
        // costs one short request per assignment rather than per refresh.
        try
        {
            var committed = consumer.Committed(withoutPosition.Select(w => w.TopicPartition), CommittedQueryTimeout);
            foreach (var offset in committed)
            {
                if (!_workers.TryGetValue(offset.TopicPartition, out var worker))
                {
                    continue;
                }

                // Asked once: if neither a commit nor the log start is known, the first record read sets the position.
                worker.StartPositionQueried = true;

                if (offset.Offset.Value >= 0)
                {
                    worker.UpdateStartPosition(offset.Offset.Value);
                }
                else if (consumer.GetWatermarkOffsets(offset.TopicPartition).Low is { Value: >= 0 } low)
                {
                    worker.UpdateStartPosition(low.Value);
                }
            }
        }
        catch (KafkaException exception)
        {
            _logger.LogDebug(exception, "Consumer of group {Group} could not read committed offsets for the lag gauge", GroupId);
        }
    }

    private void OnAssigned(IConsumer<string, byte[]> consumer, List<TopicPartition> partitions)
    {
        // Cooperative rebalancing calls this on every round, mostly with nothing new for this member.
        if (partitions.Count == 0)
        {
            return;
        }

        _metrics.Rebalanced(GroupId, KafkaTransportMetrics.RebalanceKinds.Assigned);
        foreach (var partition in partitions)
        {
            _workers.GetOrAdd(partition, p => new PartitionWorker(p, consumer, _handler, _options, _metrics, GroupId, _logger));
        }

        _logger.LogInformation("Consumer of group {Group} was assigned {Partitions}", GroupId, string.Join(", ", partitions));
    }

    /// <summary>
    /// Runs on the poll thread inside Consume or Close, before the client lets go of the partitions: their handlers
    /// are cancelled and awaited, and what they completed is committed while this member still owns them, so the
    /// next owner starts exactly after it.
    /// </summary>
    private void OnRevoked(IConsumer<string, byte[]> consumer, List<TopicPartition> partitions, bool lost)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        try
        {
            _metrics.Rebalanced(GroupId, lost ? KafkaTransportMetrics.RebalanceKinds.Lost : KafkaTransportMetrics.RebalanceKinds.Revoked);
            var workers = new List<PartitionWorker>(partitions.Count);
            foreach (var partition in partitions)
            {
                if (_workers.TryRemove(partition, out var worker))
                {
                    workers.Add(worker);
                }
            }

            foreach (var worker in workers)
            {
                worker.CancelHandler();
            }

            WaitForHandlers(workers, CancellationToken.None);
            foreach (var worker in workers)
            {
                worker.Seal();

                // A partition paused here could come back paused in a later assignment and never be read again.
                if (worker.Paused)
                {
                    TrySetPaused(consumer, worker, paused: false);
                    _paused.Remove(worker);
                }
            }

            // A lost partition already belongs to someone else: committing for it would fail or, worse, move
            // the new owner's offset.
            if (!lost && !_aborting)
            {
                CommitHandled(consumer, workers);
            }

            _logger.LogInformation("Consumer of group {Group} {Change} {Partitions}", GroupId, lost ? "lost" : "gave up", string.Join(", ", partitions));
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Consumer of group {Group} failed while giving up {Partitions}", GroupId, string.Join(", ", partitions));
        }
    }

    private void OnCommitted(CommittedOffsets committed)
    {
        foreach (var offset in committed.Offsets)
        {
            if (!offset.Error.IsError && offset.Offset.Value >= 0 && _workers.TryGetValue(offset.TopicPartition, out var worker))
            {
                worker.CommittedOffset = Math.Max(worker.CommittedOffset, offset.Offset.Value);
            }
        }
    }

    private void CommitHandled(IConsumer<string, byte[]> consumer, IReadOnlyCollection<PartitionWorker> workers)
    {
        var offsets = new List<TopicPartitionOffset>();
        foreach (var worker in workers)
        {
            if (worker.StoredOffset is { } next && next > worker.CommittedOffset)
            {
                offsets.Add(new TopicPartitionOffset(worker.TopicPartition, next));
            }
        }

        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
            foreach (var worker in workers)
            {
                worker.CommittedOffset = worker.StoredOffset ?? worker.CommittedOffset;
            }
        }
        catch (KafkaException exception)
        {
            _logger.LogWarning(exception, "Consumer of group {Group} could not commit {Offsets}; those records will be delivered again", GroupId, string.Join(", ", offsets));
        }
    }

    /// <summary>True when every worker finished within the stop timeout.</summary>
    private bool WaitForHandlers(IReadOnlyCollection<PartitionWorker> workers, CancellationToken interrupt)
    {
        if (workers.Count == 0)
        {
            return true;
        }

        try
        {
            var timeout = (int)Math.Min(_options.HandlerStopTimeout.TotalMilliseconds, int.MaxValue);
            if (Task.WaitAll([.. workers.Select(w => w.Completion)], timeout, interrupt))
            {
                return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        _logger.LogWarning(
            "Consumer of group {Group} gave up waiting for the handlers of {Partitions}; their records stay uncommitted",
            GroupId, string.Join(", ", workers.Where(w => !w.Completion.IsCompleted).Select(w => w.TopicPartition)));
        return false;
    }

    private void Shutdown(IConsumer<string, byte[]> consumer)
    {
        try
        {
            var workers = _workers.Values.ToList();
            if (!_aborting)
            {
                foreach (var worker in workers)
                {
                    worker.StopTaking();
                }

                WaitForHandlers(workers, _cancelHandlers.Token);
            }

            foreach (var worker in workers)
            {
                worker.CancelHandler();
            }

            WaitForHandlers(workers, CancellationToken.None);
            foreach (var worker in workers)
            {
                worker.Seal();
            }

            if (!_aborting)
            {
                CommitHandled(consumer, workers);
            }

            // Leaves the group at once, so the partitions move now rather than after session.timeout.ms. librdkafka's
            // close can wait on a group coordinator mid-rebalance for a long time; a stop must not hang the host, so it
            // is bounded and, past the bound, the member is simply left to time out of the group.
            var close = Task.Run(consumer.Close);
            if (!close.Wait(CloseTimeout))
            {
                _logger.LogError("Consumer of group {Group} did not leave the group within {Timeout}; it will time out of it", GroupId, CloseTimeout);
                _abandoned = true;
                return;
            }

            _logger.LogInformation("Consumer of group {Group} {How} and left the group", GroupId, _aborting ? "aborted" : "stopped");
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Consumer of group {Group} did not close cleanly", GroupId);
        }
        finally
        {
            _metrics.Unregister(this);
            _workers.Clear();
            if (!_abandoned)
            {
                // Disposing a client whose close is still running would block on it too.
                consumer.Dispose();
            }

            Closed();
        }
    }

    private void Closed()
    {
        _onClosed(this);
        _closed.TrySetResult();
    }
}
