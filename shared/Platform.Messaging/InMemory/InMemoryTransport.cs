using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Platform.Messaging.InMemory;

/// <summary>
/// An in-process partitioned log with consumer groups and committed offsets: the semantics of Kafka that the
/// platform relies on (per-key order, commit after effect, redelivery of what was not committed) without a broker.
/// Used by the local host and by fast tests; the bus conformance suite runs on it and on Kafka alike.
/// </summary>
public sealed class InMemoryTransport(InMemoryTransportOptions? options = null, ILogger<InMemoryTransport>? logger = null) : IMessageTransport
{
    private readonly InMemoryTransportOptions _options = options ?? new InMemoryTransportOptions();
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    private readonly ConcurrentDictionary<string, InMemoryTopic> _topics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, InMemoryGroup> _groups = new(StringComparer.Ordinal);

    public string Name => "in-memory";

    internal TimeSpan RedeliveryDelay => _options.RedeliveryDelay;

    public Task ProduceAsync(TransportMessage message, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Append(message);
        return Task.CompletedTask;
    }

    public Task ProduceBatchAsync(IReadOnlyList<TransportMessage> messages, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var message in messages)
        {
            Append(message);
        }

        return Task.CompletedTask;
    }

    public IMessageConsumer CreateConsumer(ConsumerSettings settings, MessageHandler handler)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(handler);
        var group = _groups.GetOrAdd(settings.GroupId, id => new InMemoryGroup(id, _logger));
        return new InMemoryConsumer(this, group, settings, handler, _logger);
    }

    /// <summary>Every record still retained on a topic, in partition then offset order (diagnostics and tests).</summary>
    public IReadOnlyList<ReceivedMessage> ReadAll(string topic)
    {
        if (!_topics.TryGetValue(topic, out var found))
        {
            return [];
        }

        return found.Partitions.SelectMany(p => p.Snapshot()).ToList();
    }

    /// <summary>Records not yet committed by a group on a topic.</summary>
    public long Lag(string groupId, string topic)
    {
        if (!_topics.TryGetValue(topic, out var found) || !_groups.TryGetValue(groupId, out var group))
        {
            return 0;
        }

        return found.Partitions.Sum(p => p.EndOffset - group.Committed(topic, p.Index));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    internal InMemoryTopic Topic(string name) => _topics.GetOrAdd(name, n => new InMemoryTopic(n, _options.PartitionsPerTopic, _options.RetainedRecordsPerPartition));

    private void Append(TransportMessage message)
    {
        var topic = Topic(message.Topic);
        var partition = topic.Partitions[PartitionFor(message.Key, topic.Partitions.Length)];
        partition.Append(message);
    }

    // FNV-1a over the UTF-8 key: stable across processes, so a key always lands on the same partition.
    internal static int PartitionFor(string key, int partitions)
    {
        const uint offsetBasis = 2166136261;
        const uint prime = 16777619;
        var hash = offsetBasis;
        Span<byte> buffer = key.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        var length = Encoding.UTF8.GetBytes(key, buffer);
        foreach (var b in buffer[..length])
        {
            hash = (hash ^ b) * prime;
        }

        return (int)(hash % (uint)partitions);
    }
}

public sealed class InMemoryTransportOptions
{
    public int PartitionsPerTopic { get; set; } = 8;

    /// <summary>Like a Kafka retention limit: older records are dropped even if a lagging group never read them.</summary>
    public int RetainedRecordsPerPartition { get; set; } = 250_000;

    /// <summary>Pause before a record whose handler threw is delivered again.</summary>
    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}

internal sealed class InMemoryTopic(string name, int partitions, int retained)
{
    public string Name { get; } = name;
    public InMemoryPartition[] Partitions { get; } = Enumerable.Range(0, partitions).Select(i => new InMemoryPartition(name, i, retained)).ToArray();
}

internal sealed class InMemoryPartition(string topic, int index, int retained)
{
    private readonly object _gate = new();
    private readonly List<ReceivedMessage> _records = [];
    private long _baseOffset;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Index { get; } = index;

    public long EndOffset
    {
        get
        {
            lock (_gate)
            {
                return _baseOffset + _records.Count;
            }
        }
    }

    public void Append(TransportMessage message)
    {
        TaskCompletionSource toSignal;
        lock (_gate)
        {
            var headers = new Dictionary<string, string>(message.Headers, StringComparer.Ordinal);
            _records.Add(new ReceivedMessage(topic, Index, _baseOffset + _records.Count, message.Key, headers, message.Value.ToArray(), DateTimeOffset.UtcNow));
            if (_records.Count > retained)
            {
                var drop = _records.Count - retained;
                _records.RemoveRange(0, drop);
                _baseOffset += drop;
            }

            toSignal = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        toSignal.TrySetResult();
    }

    /// <summary>The record at <paramref name="offset"/> (or the oldest retained one after it), or a task to await.</summary>
    public bool TryRead(long offset, out ReceivedMessage? record, out Task appended)
    {
        lock (_gate)
        {
            var position = Math.Max(offset, _baseOffset) - _baseOffset;
            if (position < _records.Count)
            {
                record = _records[(int)position];
                appended = Task.CompletedTask;
                return true;
            }

            record = null;
            appended = _appended.Task;
            return false;
        }
    }

    public IReadOnlyList<ReceivedMessage> Snapshot()
    {
        lock (_gate)
        {
            return _records.ToList();
        }
    }
}
