using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Platform.Messaging.Dapr;

/// <summary>
/// How a record's headers travel through Dapr. Publishing sends them as request metadata, which the Kafka component
/// writes as record headers, so the record on the topic looks exactly as the direct Kafka transport writes it
/// (CloudEvents binary mode). Delivering, the component hands the headers back as metadata and the sidecar passes
/// them to the app as HTTP headers, next to its own <c>__key</c>, <c>__partition</c>, ... entries.
/// </summary>
public static class DaprRecordHeaders
{
    /// <summary>Publish metadata the Kafka component reads as the record key.</summary>
    public const string PartitionKey = "partitionKey";

    /// <summary>Publish and subscription metadata: the payload is sent as is, not wrapped in a CloudEvent by the sidecar.</summary>
    public const string RawPayload = "rawPayload";

    // Written by the Kafka component on every delivery.
    public const string DeliveredKey = "__key";
    public const string DeliveredPartition = "__partition";
    public const string DeliveredOffset = "__offset";
    public const string DeliveredTimestamp = "__timestamp";

    // The sidecar's delivery request carries its own Content-Type (the CloudEvent wrapper) and, with tracing on, its
    // own traceparent and tracestate, so the record's values under those names cannot reach the app. They travel a
    // second time under these names and are put back on arrival.
    public const string ContentTypeCopy = "platform-dapr-content-type";
    public const string TraceParentCopy = "platform-dapr-traceparent";
    public const string TraceStateCopy = "platform-dapr-tracestate";

    private static readonly (string Header, string Copy)[] Shadowed =
    [
        (EventHeaders.ContentType, ContentTypeCopy),
        (EventHeaders.TraceParent, TraceParentCopy),
        (EventHeaders.TraceState, TraceStateCopy),
    ];

    /// <summary>The publish metadata for a record: every header, the copies of the shadowed ones, the key and rawPayload.</summary>
    public static Dictionary<string, string> ToPublishMetadata(TransportMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var metadata = new Dictionary<string, string>(message.Headers.Count + 5, StringComparer.Ordinal);
        foreach (var (name, value) in message.Headers)
        {
            metadata[name] = value;
        }

        foreach (var (header, copy) in Shadowed)
        {
            if (message.Headers.TryGetValue(header, out var value))
            {
                metadata[copy] = value;
            }
        }

        metadata[PartitionKey] = message.Key;
        metadata[RawPayload] = "true";
        return metadata;
    }

    /// <summary>
    /// Rebuilds the consumed record from a delivery. Record headers are recognised by name: CloudEvents attributes
    /// (<c>ce_*</c>) and the platform's own (<c>platform-*</c>); any other header name cannot be told apart from
    /// what the sidecar and HTTP add, and is not carried.
    /// </summary>
    public static ReceivedMessage FromDelivery(string topic, IHeaderDictionary headers, ReadOnlyMemory<byte> value, DateTimeOffset fallbackTimestamp, bool valuesEscaped)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var recordHeaders = new Dictionary<string, string>(StringComparer.Ordinal);
        string? key = null;
        var partition = 0;
        var offset = -1L;
        var timestamp = fallbackTimestamp;
        foreach (var (rawName, values) in headers)
        {
            var name = rawName.ToLowerInvariant();
            var text = values.ToString();
            if (valuesEscaped)
            {
                text = WebUtility.UrlDecode(text);
            }

            switch (name)
            {
                case DeliveredKey:
                    key = text;
                    break;
                case DeliveredPartition when int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number):
                    partition = number;
                    break;
                case DeliveredOffset when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var position):
                    offset = position;
                    break;
                case DeliveredTimestamp when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds):
                    timestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
                    break;
                case ContentTypeCopy:
                    recordHeaders[EventHeaders.ContentType] = text;
                    break;
                case TraceParentCopy:
                    recordHeaders[EventHeaders.TraceParent] = text;
                    break;
                case TraceStateCopy:
                    recordHeaders[EventHeaders.TraceState] = text;
                    break;
                default:
                    if (name.StartsWith("ce_", StringComparison.Ordinal) || name.StartsWith("platform-", StringComparison.Ordinal))
                    {
                        recordHeaders[name] = text;
                    }

                    break;
            }
        }

        return new ReceivedMessage(topic, partition, offset, key, recordHeaders, value, timestamp);
    }
}
