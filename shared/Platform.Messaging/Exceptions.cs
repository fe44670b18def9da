namespace Platform.Messaging;

/// <summary>The record cannot be read as an event at all: dead-lettered at once, never retried.</summary>
public sealed class MalformedEventException(string reason, Exception? inner = null)
    : Exception($"malformed event: {reason}", inner)
{
    public string Reason { get; } = reason;
}

/// <summary>
/// Thrown by a handler when the event can never succeed as it is (unknown SKU, failed validation,
/// a field from a system that does not own it). Dead-lettered at once with the message as the reason.
/// </summary>
public class InvalidEventException(string reason, Exception? inner = null) : Exception(reason, inner);
