using System.Globalization;
using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;

namespace Platform.Dapr.Tests.Sidecar;

/// <summary>
/// One state component as the documented state API describes it: keys stored as <c>{app id}||{key}</c>; an ETag
/// on a write or delete must match the key's current ETag (a missing key matches none); under first-write
/// concurrency a write without ETag succeeds only when the key does not exist (the component conformance suite's
/// "first-write" case); <c>ttlInSeconds</c> &gt; 0 expires the key, -1 persists it, absent keeps what it had;
/// transactions apply all operations or none. ETags are version numbers that start again at 1 after a delete, as
/// the Redis component's do, which is exactly the case an adapter must not expose as its own ETags.
/// </summary>
internal sealed class StateComponentDouble(string appId, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>When set, every write fails with it, as a component whose database is unreachable does; reads still work.</summary>
    public RpcException? WriteFault { get; set; }

    /// <summary>Keys as the component holds them (with the app id prefix), for assertions.</summary>
    public IReadOnlyList<string> PhysicalKeys()
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            return _entries.Where(pair => pair.Value.IsLive(now)).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The TTL the component holds for a key (null: none), for assertions.</summary>
    public DateTimeOffset? ExpiryOf(string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(Physical(key), out var entry) && entry.IsLive(time.GetUtcNow()) ? entry.ExpiresAt : null;
        }
    }

    public (byte[] Data, string ETag)? Get(string key)
    {
        lock (_gate)
        {
            return Live(_entries, Physical(key)) is { } entry ? (entry.Value, entry.Version.ToString(CultureInfo.InvariantCulture)) : null;
        }
    }

    public void Save(StateItem item)
    {
        lock (_gate)
        {
            ThrowIfFaulted();
            Upsert(_entries, item, out var failure);
            if (failure is not null)
            {
                throw failure;
            }
        }
    }

    public void Delete(string key, Etag? etag)
    {
        lock (_gate)
        {
            ThrowIfFaulted();
            Remove(_entries, key, etag, out var failure);
            if (failure is not null)
            {
                throw failure;
            }
        }
    }

    /// <summary>Every operation against a working copy; the copy replaces the store only if all of them succeeded.</summary>
    public void Transact(IEnumerable<TransactionalStateOperation> operations)
    {
        lock (_gate)
        {
            ThrowIfFaulted();
            var working = new Dictionary<string, Entry>(_entries, StringComparer.Ordinal);
            foreach (var operation in operations)
            {
                RpcException? failure;
                switch (operation.OperationType)
                {
                    case "upsert":
                        Upsert(working, operation.Request, out failure);
                        break;
                    case "delete":
                        Remove(working, operation.Request.Key, operation.Request.Etag, out failure);
                        break;
                    default:
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"operation type {operation.OperationType} not supported"));
                }

                if (failure is not null)
                {
                    // The runtime reports a failed transaction as ERR_STATE_TRANSACTION (Internal), whatever the cause.
                    throw new RpcException(new Status(StatusCode.Internal, "error while executing state transaction: " + failure.Status.Detail));
                }
            }

            _entries.Clear();
            foreach (var (key, entry) in working)
            {
                _entries[key] = entry;
            }
        }
    }

    private void Upsert(Dictionary<string, Entry> entries, StateItem item, out RpcException? failure)
    {
        failure = null;
        var physical = Physical(item.Key);
        var current = Live(entries, physical);
        var etag = item.Etag is { Value.Length: > 0 } given ? given.Value : null;
        if (etag is not null && (current is null || current.Version.ToString(CultureInfo.InvariantCulture) != etag))
        {
            failure = EtagMismatch("failed saving state", item.Key);
            return;
        }

        if (etag is null && current is not null && item.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite)
        {
            // What the Redis component answers here: a plain error, not an ETag error.
            failure = new RpcException(new Status(StatusCode.Internal, $"failed saving state in state store: failed to set key {physical}"));
            return;
        }

        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = current?.ExpiresAt;
        if (item.Metadata.TryGetValue("ttlInSeconds", out var rawTtl))
        {
            if (!long.TryParse(rawTtl, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) || seconds is 0 or < -1)
            {
                failure = new RpcException(new Status(StatusCode.InvalidArgument, $"ttlInSeconds '{rawTtl}' is not a positive number of seconds or -1"));
                return;
            }

            expiresAt = seconds == -1 ? null : now.AddSeconds(seconds);
        }

        entries[physical] = new Entry(item.Value.ToByteArray(), (current?.Version ?? 0) + 1, expiresAt);
    }

    private void Remove(Dictionary<string, Entry> entries, string key, Etag? etag, out RpcException? failure)
    {
        failure = null;
        var physical = Physical(key);
        var current = Live(entries, physical);
        if (etag is { Value.Length: > 0 } && (current is null || current.Version.ToString(CultureInfo.InvariantCulture) != etag.Value))
        {
            failure = EtagMismatch("failed deleting state", key);
            return;
        }

        entries.Remove(physical);
    }

    private Entry? Live(Dictionary<string, Entry> entries, string physical)
    {
        if (!entries.TryGetValue(physical, out var entry))
        {
            return null;
        }

        if (entry.IsLive(time.GetUtcNow()))
        {
            return entry;
        }

        entries.Remove(physical);
        return null;
    }

    private void ThrowIfFaulted()
    {
        if (WriteFault is { } fault)
        {
            throw fault;
        }
    }

    private string Physical(string key) => appId + "||" + key;

    private static RpcException EtagMismatch(string what, string key) =>
        new(new Status(StatusCode.Aborted, $"{what} with key {key}: possible etag mismatch. error from state store: ERR Error running script"));

    private sealed record Entry(byte[] Value, long Version, DateTimeOffset? ExpiresAt)
    {
        public bool IsLive(DateTimeOffset now) => ExpiresAt is null || ExpiresAt > now;
    }
}
