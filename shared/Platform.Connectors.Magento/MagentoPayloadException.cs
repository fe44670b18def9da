namespace Platform.Connectors.Magento;

// Magento answered, but with a payload the platform cannot trust (a required field missing or of the wrong
// type). Permanent: asking again returns the same payload. The message names the field and the order but
// never echoes a value, since values can be customer data.
public sealed class MagentoPayloadException(string message, string? incrementId = null, long? entityId = null)
    : Exception(message)
{
    public string? IncrementId { get; } = incrementId;

    public long? EntityId { get; } = entityId;
}
