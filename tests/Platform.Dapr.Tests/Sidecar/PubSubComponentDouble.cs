using System.Text;
using System.Text.Json;

namespace Platform.Dapr.Tests.Sidecar;

/// <summary>A record as the Kafka component writes it: every publish metadata pair becomes a header.</summary>
internal sealed record PublishedRecord(string Topic, int Partition, long Offset, string? Key, byte[] Value, IReadOnlyDictionary<string, string> Headers, DateTimeOffset Timestamp);

/// <summary>
/// A pub/sub component on Kafka as Dapr's Kafka component uses it: topics are auto-created with a fixed number of
/// partitions; <c>partitionKey</c> becomes the record key and picks the partition with the component's hash
/// partitioner (FNV-1a); records without a key are spread round-robin.
/// </summary>
internal sealed class PubSubComponentDouble(string name, string appId, int partitionsPerTopic, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PartitionLog[]> _topics = new(StringComparer.Ordinal);
    private int _roundRobin;

    public string Name => name;

    public PublishedRecord Publish(string topic, byte[] data, string contentType, IReadOnlyDictionary<string, string> metadata)
    {
        var raw = metadata.TryGetValue("rawPayload", out var rawPayload) && bool.TryParse(rawPayload, out var isRaw) && isRaw;
        var value = raw ? data : WrapInCloudEvent(topic, data, contentType);
        var key = metadata.TryGetValue("partitionKey", out var partitionKey) ? partitionKey : metadata.GetValueOrDefault("__key");
        var partitions = Partitions(topic);
        var partition = key is null ? Interlocked.Increment(ref _roundRobin) % partitions.Length : PartitionFor(key, partitions.Length);
        return partitions[partition].Append(topic, partition, key, value, new Dictionary<string, string>(metadata, StringComparer.Ordinal), time.GetUtcNow());
    }

    public PartitionLog[] Partitions(string topic)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(topic, out var partitions))
            {
                partitions = Enumerable.Range(0, partitionsPerTopic).Select(_ => new PartitionLog()).ToArray();
                _topics[topic] = partitions;
            }

            return partitions;
        }
    }

    /// <summary>Everything a topic holds, partition by partition, as a reader outside any group sees it.</summary>
    public IReadOnlyList<PublishedRecord> ReadAll(string topic) => Partitions(topic).SelectMany(partition => partition.Snapshot()).ToList();

    // The component's producer uses sarama's hash partitioner: FNV-1a over the key, as a signed 32-bit number.
    private static int PartitionFor(string key, int partitions)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        var partition = (int)hash % partitions;
        return partition < 0 ? -partition : partition;
    }

    private byte[] WrapInCloudEvent(string topic, byte[] data, string contentType)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", Guid.NewGuid().ToString());
            json.WriteString("source", appId);
            json.WriteString("type", "com.dapr.event.sent");
            json.WriteString("datacontenttype", contentType);
            json.WriteString("topic", topic);
            json.WriteString("pubsubname", name);
            json.WriteBase64String("data_base64", data);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

internal sealed class PartitionLog
{
    private readonly Lock _gate = new();
    private readonly List<PublishedRecord> _records = [];
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PublishedRecord Append(string topic, int partition, string? key, byte[] value, IReadOnlyDictionary<string, string> headers, DateTimeOffset timestamp)
    {
        TaskCompletionSource appended;
        PublishedRecord record;
        lock (_gate)
        {
            record = new PublishedRecord(topic, partition, _records.Count, key, value, headers, timestamp);
            _records.Add(record);
            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        appended.TrySetResult();
        return record;
    }

    public bool TryRead(long offset, out PublishedRecord? record, out Task appended)
    {
        lock (_gate)
        {
            appended = _appended.Task;
            record = offset < _records.Count ? _records[(int)offset] : null;
            return record is not null;
        }
    }

    public IReadOnlyList<PublishedRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _records];
        }
    }
}
