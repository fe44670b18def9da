using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Platform.Messaging.Kafka;

/// <summary>Maps the port's records to Kafka messages and back. Header values travel as UTF-8 bytes.</summary>
internal static class KafkaRecords
{
    public static Message<string, byte[]> ToKafka(TransportMessage message)
    {
        var headers = new Headers();
        foreach (var (name, value) in message.Headers)
        {
            headers.Add(name, Encoding.UTF8.GetBytes(value));
        }

        return new Message<string, byte[]>
        {
            Key = message.Key,
            Value = AsArray(message.Value),
            Headers = headers,
        };
    }

    public static ReceivedMessage FromKafka(ConsumeResult<string, byte[]> result)
    {
        var message = result.Message;
        var headers = new Dictionary<string, string>(message.Headers?.Count ?? 0, StringComparer.Ordinal);
        if (message.Headers is not null)
        {
            // Kafka allows repeated header names; the port has one value per name, and the last one wins as it
            // does for consumers that read headers as a map.
            foreach (var header in message.Headers)
            {
                var bytes = header.GetValueBytes();
                headers[header.Key] = bytes is null ? "" : Encoding.UTF8.GetString(bytes);
            }
        }

        string? key = message.Key;
        byte[]? value = message.Value;
        return new ReceivedMessage(
            result.Topic,
            result.Partition.Value,
            result.Offset.Value,
            key,
            headers,
            value ?? ReadOnlyMemory<byte>.Empty,
            new DateTimeOffset(message.Timestamp.UtcDateTime, TimeSpan.Zero));
    }

    private static byte[] AsArray(ReadOnlyMemory<byte> value)
    {
        // The client copies the value into its own buffer on produce, so an exact-fit array can be handed over as is.
        if (MemoryMarshal.TryGetArray(value, out var segment) && segment.Array is not null
            && segment.Offset == 0 && segment.Count == segment.Array.Length)
        {
            return segment.Array;
        }

        return value.ToArray();
    }
}
