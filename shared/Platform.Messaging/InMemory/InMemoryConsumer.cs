using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Platform.Messaging.InMemory;

/// <summary>
/// Committed offsets and membership of one consumer group. Rebalances are eager: every member gives up all its
/// partitions (finishing the record in hand) before any member is given new ones, so no partition is ever
/// served by two members at once.
/// </summary>
internal sealed class InMemoryGroup(string id, ILogger logger)
{
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _committed = new();
    private readonly List<InMemoryConsumer> _members = [];
    private readonly SemaphoreSlim _membership = new(1, 1);

    public string Id { get; } = id;

    public long Committed(string topic, int partition) => _committed.GetValueOrDefault((topic, partition));

    public void Commit(string topic, int partition, long nextOffset) =>
        _committed.AddOrUpdate((topic, partition), nextOffset, (_, current) => Math.Max(current, nextOffset));

    public async Task JoinAsync(InMemoryConsumer member, CancellationToken cancellationToken)
    {
        await _membership.WaitAsync(cancellationToken);
        try
        {
            _members.Add(member);
            await RebalanceAsync();
        }
        finally
        {
            _membership.Release();
        }
    }

    public async Task LeaveAsync(InMemoryConsumer member)
    {
        await _membership.WaitAsync();
        try
        {
            if (_members.Remove(member))
            {
                await member.RevokeAllAsync();
                await RebalanceAsync();
            }
        }
        finally
        {
            _membership.Release();
        }
    }

    private async Task RebalanceAsync()
    {
        foreach (var member in _members)
        {
            await member.RevokeAllAsync();
        }

        var assignments = _members.ToDictionary(m => m, _ => new List<(InMemoryTopic, InMemoryPartition)>());
        var topics = _members.SelectMany(m => m.Topics).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var topicName in topics)
        {
            var subscribers = _members.Where(m => m.Topics.Contains(topicName, StringComparer.Ordinal)).ToList();
            var topic = subscribers[0].Transport.Topic(topicName);
            foreach (var partition in topic.Partitions)
            {
                assignments[subscribers[partition.Index % subscribers.Count]].Add((topic, partition));
            }
        }

        foreach (var (member, assigned) in assignments)
        {
            member.Assign(assigned);
        }

        logger.LogDebug("Group {Group} rebalanced across {Members} member(s)", Id, _members.Count);
    }
}

internal sealed class InMemoryConsumer(
    InMemoryTransport transport,
    InMemoryGroup group,
    ConsumerSettings settings,
    MessageHandler handler,
    ILogger logger) : IMessageConsumer
{
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(10);
    private readonly List<PartitionWorker> _workers = [];
    private readonly CancellationTokenSource _abort = new();
    private readonly TimeSpan _redeliveryDelay = transport.RedeliveryDelay;
    private int _state; // 0 new, 1 started, 2 stopped

    public string GroupId => group.Id;
    public IReadOnlyList<string> Topics => settings.Topics;
    public InMemoryTransport Transport => transport;

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException($"Consumer of group '{group.Id}' was already started.");
        }

        foreach (var topic in settings.Topics)
        {
            transport.Topic(topic);
        }

        await group.JoinAsync(this, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        await group.LeaveAsync(this);
    }

    public async Task AbortAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            return;
        }

        // A crash: the handler in hand is cancelled and its record is not committed.
        await _abort.CancelAsync();
        await group.LeaveAsync(this);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _abort.Dispose();
    }

    internal void Assign(IEnumerable<(InMemoryTopic Topic, InMemoryPartition Partition)> partitions)
    {
        lock (_workers)
        {
            foreach (var (topic, partition) in partitions)
            {
                var worker = new PartitionWorker(topic.Name, partition, _abort.Token);
                worker.Run = Task.Run(() => ServeAsync(worker));
                _workers.Add(worker);
            }
        }
    }

    internal async Task RevokeAllAsync()
    {
        PartitionWorker[] revoked;
        lock (_workers)
        {
            revoked = [.. _workers];
            _workers.Clear();
        }

        foreach (var worker in revoked)
        {
            worker.RequestStop();
        }

        foreach (var worker in revoked)
        {
            var finished = await Task.WhenAny(worker.Run, Task.Delay(GracefulStopTimeout));
            if (finished != worker.Run)
            {
                logger.LogWarning("Handler on {Topic}[{Partition}] did not finish within {Timeout}; cancelling it, the record will be delivered again",
                    worker.Topic, worker.Partition.Index, GracefulStopTimeout);
                worker.CancelHandler();
                await worker.Run;
            }

            worker.Dispose();
        }
    }

    private async Task ServeAsync(PartitionWorker worker)
    {
        var offset = group.Committed(worker.Topic, worker.Partition.Index);
        while (!worker.StopRequested.IsCancellationRequested)
        {
            if (!worker.Partition.TryRead(offset, out var record, out var appended))
            {
                await Task.WhenAny(appended, worker.StopRequestedTask);
                continue;
            }

            try
            {
                await handler(record!, worker.HandlerToken);
                offset = record!.Offset + 1;
                if (!_abort.IsCancellationRequested)
                {
                    group.Commit(worker.Topic, worker.Partition.Index, offset);
                }
            }
            catch (OperationCanceledException) when (worker.HandlerToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Handler failed on {Topic}[{Partition}]@{Offset}; delivering the record again", worker.Topic, worker.Partition.Index, record!.Offset);
                await Task.WhenAny(Task.Delay(_redeliveryDelay), worker.StopRequestedTask);
            }
        }
    }

    private sealed class PartitionWorker : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly CancellationTokenSource _handler;
        private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PartitionWorker(string topic, InMemoryPartition partition, CancellationToken abort)
        {
            Topic = topic;
            Partition = partition;
            _handler = CancellationTokenSource.CreateLinkedTokenSource(abort);
            abort.Register(RequestStop);
        }

        public string Topic { get; }
        public InMemoryPartition Partition { get; }
        public Task Run { get; set; } = Task.CompletedTask;
        public CancellationToken StopRequested => _stop.Token;
        public Task StopRequestedTask => _stopRequested.Task;
        public CancellationToken HandlerToken => _handler.Token;

        public void RequestStop()
        {
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _stopRequested.TrySetResult();
        }

        public void CancelHandler() => _handler.Cancel();

        public void Dispose()
        {
            _stop.Dispose();
            _handler.Dispose();
        }
    }
}
