using Google.Protobuf;
using Platform.State;

namespace Platform.Hosting.Runtime;

/// <summary>Read models kept in the state store as protobuf bytes of the same contracts the APIs serve.</summary>
public static class ProtobufState
{
    public static async Task<T?> GetMessageAsync<T>(this IStateStore store, string key, MessageParser<T> parser, CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        var item = await store.GetAsync(key, cancellationToken);
        return item is null ? null : parser.ParseFrom(item.Value.Span);
    }

    public static async Task<IReadOnlyList<T>> GetMessagesAsync<T>(this IStateStore store, IReadOnlyCollection<string> keys, MessageParser<T> parser, CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        var items = await store.GetManyAsync(keys, cancellationToken);
        return keys.Where(items.ContainsKey).Select(key => parser.ParseFrom(items[key].Value.Span)).ToList();
    }
}
