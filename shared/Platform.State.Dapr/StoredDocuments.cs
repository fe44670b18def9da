using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Platform.State.Dapr;

/// <summary>
/// Where each part of a store lives in the Dapr component. Everything sits under the store name, so several stores
/// can share one component (Dapr itself prefixes every key with the app id).
/// </summary>
internal sealed class DaprStateKeys(string storeName)
{
    public string Value(string key) => $"{storeName}:v:{key}";

    public string Index(string index) => $"{storeName}:i:{index}";

    public string OutboxList => $"{storeName}:outbox";

    public string OutboxEntry(string id) => $"{storeName}:o:{id}";

    public string Lease(string name) => $"{storeName}:l:{name}";

    /// <summary>Dapr joins app id and key with "||" and refuses keys that contain it.</summary>
    public static void ThrowIfReserved(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        if (name.Contains("||", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' contains '||', which Dapr reserves as its key separator.", paramName);
        }
    }
}

/// <summary>
/// What a value key holds. The port's ETag is the adapter's own, not the component's: Redis-backed components count
/// versions from 1 again after a delete, so a component ETag could match a key that was deleted and written again.
/// The expiry is kept too, because the component's TTL has whole-second resolution.
/// </summary>
internal sealed record StoredValue
{
    public required string ETag { get; init; }

    /// <summary>Unix milliseconds; absent for a durable key.</summary>
    public long? ExpiresAt { get; init; }

    /// <summary>A tombstone: written only to guard "must still not exist" in a transaction; reads as absent.</summary>
    public bool Deleted { get; init; }

    public byte[] Data { get; init; } = [];

    public bool IsLive(long nowMilliseconds) => !Deleted && (ExpiresAt is null || ExpiresAt > nowMilliseconds);
}

internal sealed record IndexDocument(List<IndexMember> Members);

internal sealed record IndexMember(string Member, double Score);

/// <summary>Pending outbox entry ids in commit order; the entries themselves are separate keys.</summary>
internal sealed record OutboxList(List<string> Ids);

internal sealed record StoredOutboxEntry(string Id, string Topic, string Key, Dictionary<string, string> Headers, byte[] Payload);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(StoredValue))]
[JsonSerializable(typeof(IndexDocument))]
[JsonSerializable(typeof(OutboxList))]
[JsonSerializable(typeof(StoredOutboxEntry))]
internal sealed partial class StoredDocumentsJson : JsonSerializerContext;

internal static class StoredDocuments
{
    public static byte[] Serialize(StoredValue value) => JsonSerializer.SerializeToUtf8Bytes(value, StoredDocumentsJson.Default.StoredValue);

    public static byte[] Serialize(IndexDocument value) => JsonSerializer.SerializeToUtf8Bytes(value, StoredDocumentsJson.Default.IndexDocument);

    public static byte[] Serialize(OutboxList value) => JsonSerializer.SerializeToUtf8Bytes(value, StoredDocumentsJson.Default.OutboxList);

    public static byte[] Serialize(StoredOutboxEntry value) => JsonSerializer.SerializeToUtf8Bytes(value, StoredDocumentsJson.Default.StoredOutboxEntry);

    public static StoredValue ReadValue(string physicalKey, ReadOnlySpan<byte> json) =>
        Read(physicalKey, json, StoredDocumentsJson.Default.StoredValue);

    public static IndexDocument ReadIndex(string physicalKey, ReadOnlySpan<byte> json) =>
        Read(physicalKey, json, StoredDocumentsJson.Default.IndexDocument);

    public static OutboxList ReadOutboxList(string physicalKey, ReadOnlySpan<byte> json) =>
        Read(physicalKey, json, StoredDocumentsJson.Default.OutboxList);

    public static StoredOutboxEntry ReadOutboxEntry(string physicalKey, ReadOnlySpan<byte> json) =>
        Read(physicalKey, json, StoredDocumentsJson.Default.StoredOutboxEntry);

    private static T Read<T>(string physicalKey, ReadOnlySpan<byte> json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo)
                ?? throw new InvalidDataException($"Dapr state key '{physicalKey}' holds null instead of a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            // A key under the store's prefix written by something else than this adapter: refuse rather than guess.
            var preview = Encoding.UTF8.GetString(json[..Math.Min(json.Length, 60)]);
            throw new InvalidDataException($"Dapr state key '{physicalKey}' does not hold a {typeof(T).Name} written by this adapter (starts with '{preview}').", ex);
        }
    }
}
