namespace Platform.State;

/// <summary>
/// The key-value port every service keeps its state behind. ETags are opaque and unique per write,
/// so a holder of an old ETag can never match a key that was deleted and written again.
/// </summary>
public interface IStateStore
{
    /// <summary>Logical name of the store, used in metrics and logs (e.g. "order").</summary>
    string Name { get; }

    ValueTask<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads several keys in one round trip; absent keys are left out of the result.</summary>
    Task<IReadOnlyDictionary<string, StateItem>> GetManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>Writes one key; <paramref name="condition"/> guards it. Returns the new ETag.</summary>
    /// <exception cref="ConcurrencyConflictException">The condition did not hold; nothing was written.</exception>
    Task<string> SetAsync(string key, ReadOnlyMemory<byte> value, StateCondition condition = default, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes one key; returns false when it did not exist.</summary>
    /// <exception cref="ConcurrencyConflictException">The condition did not hold; nothing was deleted.</exception>
    Task<bool> DeleteAsync(string key, StateCondition condition = default, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies every operation of the transaction, including its outbox entries, or none of them.
    /// All conditions are checked before anything is written.
    /// </summary>
    /// <returns>The new ETag of every key the transaction wrote.</returns>
    /// <exception cref="ConcurrencyConflictException">A condition did not hold; nothing was written.</exception>
    Task<IReadOnlyDictionary<string, string>> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default);

    /// <summary>Members of a sorted index, lowest score first.</summary>
    Task<IReadOnlyList<IndexEntry>> ReadIndexAsync(string index, long skip = 0, int take = 100, CancellationToken cancellationToken = default);

    Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default);

    /// <summary>The oldest outbox entries not yet acknowledged, in the order they were committed.</summary>
    Task<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken cancellationToken = default);

    /// <summary>Removes published entries from the outbox.</summary>
    Task AcknowledgeOutboxAsync(IReadOnlyCollection<string> entryIds, CancellationToken cancellationToken = default);

    Task<long> CountOutboxAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes or renews a named lease for <paramref name="owner"/> (used so one outbox relay publishes at a time).
    /// Returns true when <paramref name="owner"/> holds the lease afterwards.
    /// </summary>
    Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default);

    Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken = default);
}

public sealed record StateItem(string Key, ReadOnlyMemory<byte> Value, string ETag);

public sealed record IndexEntry(string Member, double Score);

/// <summary>
/// A message committed with state, published later by the relay. Opaque to the state layer:
/// headers and payload are whatever the bus wrote (CloudEvents attributes and a protobuf body).
/// </summary>
public sealed record OutboxEntry(string Id, string Topic, string Key, IReadOnlyDictionary<string, string> Headers, ReadOnlyMemory<byte> Payload);

/// <summary>Guards a write: none, "must not exist yet", or "must still carry this ETag".</summary>
public readonly record struct StateCondition
{
    public StateConditionKind Kind { get; }
    public string? ETag { get; }

    private StateCondition(StateConditionKind kind, string? etag)
    {
        Kind = kind;
        ETag = etag;
    }

    public static StateCondition None => default;
    public static StateCondition MustNotExist => new(StateConditionKind.MustNotExist, null);
    public static StateCondition Exists => new(StateConditionKind.Exists, null);
    public static StateCondition Match(string etag)
    {
        ArgumentException.ThrowIfNullOrEmpty(etag);
        return new(StateConditionKind.Match, etag);
    }

    /// <summary>Match when an ETag is known, must-not-exist when the caller saw no item.</summary>
    public static StateCondition From(StateItem? seen) => seen is null ? MustNotExist : Match(seen.ETag);

    /// <summary>True when an item with <paramref name="currentEtag"/> (null: absent) satisfies the condition.</summary>
    public bool IsSatisfiedBy(string? currentEtag) => Kind switch
    {
        StateConditionKind.None => true,
        StateConditionKind.MustNotExist => currentEtag is null,
        StateConditionKind.Exists => currentEtag is not null,
        StateConditionKind.Match => currentEtag is not null && string.Equals(currentEtag, ETag, StringComparison.Ordinal),
        _ => false,
    };

    public override string ToString() => Kind switch
    {
        StateConditionKind.Match => $"etag {ETag}",
        StateConditionKind.MustNotExist => "must not exist",
        StateConditionKind.Exists => "must exist",
        _ => "unconditional",
    };
}

public enum StateConditionKind
{
    None = 0,
    MustNotExist = 1,
    Exists = 2,
    Match = 3,
}

/// <summary>A write was refused because the key changed since it was read (or exists / is missing).</summary>
public sealed class ConcurrencyConflictException : Exception
{
    public ConcurrencyConflictException(string key, StateCondition condition)
        : base($"State key '{key}' did not satisfy the write condition ({condition}); nothing was written.")
    {
        Key = key;
        Condition = condition;
    }

    public string Key { get; }
    public StateCondition Condition { get; }
}
