using System.Globalization;

namespace Platform.Messaging;

/// <summary>
/// A CloudEvents 1.0 event as the platform moves it: attributes travel as headers (binary content mode),
/// the protobuf payload as the record value, W3C trace context in <c>traceparent</c>.
/// </summary>
public sealed record EventEnvelope
{
    public const string ProtobufContentType = "application/protobuf";

    public required string Id { get; init; }

    /// <summary>CloudEvents <c>type</c>: the protobuf full name, e.g. <c>platform.order.v1.OrderPlaced</c>.</summary>
    public required string Type { get; init; }

    /// <summary>CloudEvents <c>source</c>: the producing service, e.g. <c>/platform/order</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The aggregate id; it is both the record key and the CloudEvents <c>subject</c>.</summary>
    public required string Key { get; init; }

    public required DateTimeOffset Time { get; init; }

    public string ContentType { get; init; } = ProtobufContentType;

    public ReadOnlyMemory<byte> Data { get; init; }

    public string? TraceParent { get; init; }

    /// <summary>Any other header (failure metadata, CloudEvents extensions) carried unchanged.</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; init; } = EmptyHeaders;

    internal static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>();
}

/// <summary>Header names for CloudEvents binary mode (Kafka protocol binding) and the failure path.</summary>
public static class EventHeaders
{
    public const string SpecVersion = "ce_specversion";
    public const string Id = "ce_id";
    public const string Source = "ce_source";
    public const string Type = "ce_type";
    public const string Time = "ce_time";
    public const string Subject = "ce_subject";
    public const string PartitionKey = "ce_partitionkey";
    public const string ContentType = "content-type";
    public const string TraceParent = "traceparent";
    public const string TraceState = "tracestate";

    // Failure path: written by the consumer pipeline on retry-topic and dead-letter records.
    public const string Attempts = "platform-attempts";
    public const string FirstFailureTime = "platform-first-failure-time";
    public const string NotBefore = "platform-not-before";
    public const string OriginalTopic = "platform-original-topic";
    public const string OriginalPartition = "platform-original-partition";
    public const string OriginalOffset = "platform-original-offset";
    public const string ConsumerGroup = "platform-consumer-group";
    public const string FailureReason = "platform-failure-reason";
    public const string FailureKind = "platform-failure-kind";
    public const string ExceptionType = "platform-exception-type";
    public const string ReplayedAt = "platform-replayed-at";

    public const string CloudEventsSpecVersion = "1.0";
}

/// <summary>Maps an envelope to and from transport headers.</summary>
public static class EventCodec
{
    public static TransportMessage ToTransport(string topic, EventEnvelope envelope)
    {
        var headers = new Dictionary<string, string>(envelope.Extensions.Count + 9, StringComparer.Ordinal);
        foreach (var (name, value) in envelope.Extensions)
        {
            headers[name] = value;
        }

        headers[EventHeaders.SpecVersion] = EventHeaders.CloudEventsSpecVersion;
        headers[EventHeaders.Id] = envelope.Id;
        headers[EventHeaders.Source] = envelope.Source;
        headers[EventHeaders.Type] = envelope.Type;
        headers[EventHeaders.Time] = envelope.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        headers[EventHeaders.Subject] = envelope.Key;
        headers[EventHeaders.PartitionKey] = envelope.Key;
        headers[EventHeaders.ContentType] = envelope.ContentType;
        if (envelope.TraceParent is not null)
        {
            headers[EventHeaders.TraceParent] = envelope.TraceParent;
        }

        return new TransportMessage(topic, envelope.Key, headers, envelope.Data);
    }

    /// <summary>Reads the envelope of a consumed record.</summary>
    /// <exception cref="MalformedEventException">A required CloudEvents attribute is missing or invalid.</exception>
    public static EventEnvelope FromTransport(ReceivedMessage message)
    {
        var headers = message.Headers;
        var specVersion = Required(headers, EventHeaders.SpecVersion);
        if (specVersion != EventHeaders.CloudEventsSpecVersion)
        {
            throw new MalformedEventException($"unsupported CloudEvents specversion '{specVersion}' (expected {EventHeaders.CloudEventsSpecVersion})");
        }

        var id = Required(headers, EventHeaders.Id);
        var source = Required(headers, EventHeaders.Source);
        var type = Required(headers, EventHeaders.Type);
        var key = headers.TryGetValue(EventHeaders.PartitionKey, out var partitionKey) && partitionKey.Length > 0
            ? partitionKey
            : message.Key ?? throw new MalformedEventException("record has neither a key nor a ce_partitionkey header");

        var time = message.Timestamp;
        if (headers.TryGetValue(EventHeaders.Time, out var rawTime))
        {
            if (!DateTimeOffset.TryParse(rawTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time))
            {
                throw new MalformedEventException($"header {EventHeaders.Time} is not an RFC 3339 timestamp: '{Truncate(rawTime)}'");
            }
        }

        var extensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            if (!IsCoreHeader(name))
            {
                extensions[name] = value;
            }
        }

        return new EventEnvelope
        {
            Id = id,
            Source = source,
            Type = type,
            Key = key,
            Time = time,
            ContentType = headers.TryGetValue(EventHeaders.ContentType, out var contentType) ? contentType : EventEnvelope.ProtobufContentType,
            Data = message.Value,
            TraceParent = headers.TryGetValue(EventHeaders.TraceParent, out var traceParent) ? traceParent : null,
            Extensions = extensions,
        };
    }

    private static bool IsCoreHeader(string name) => name is EventHeaders.SpecVersion or EventHeaders.Id or EventHeaders.Source
        or EventHeaders.Type or EventHeaders.Time or EventHeaders.Subject or EventHeaders.PartitionKey
        or EventHeaders.ContentType or EventHeaders.TraceParent;

    private static string Required(IReadOnlyDictionary<string, string> headers, string name)
    {
        if (!headers.TryGetValue(name, out var value) || string.IsNullOrWhiteSpace(value))
        {
            throw new MalformedEventException($"required CloudEvents header '{name}' is missing");
        }

        return value;
    }

    internal static string Truncate(string value, int max = 80) => value.Length <= max ? value : value[..max] + "...";
}
