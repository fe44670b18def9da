namespace Platform.State;

/// <summary>
/// A set of writes, index changes and outbox entries that commit together or not at all.
/// Built in memory, applied by <see cref="IStateStore.CommitAsync"/>.
/// </summary>
public sealed class StateTransaction
{
    private readonly List<StateOperation> _operations = [];
    private readonly List<OutboxEntry> _outbox = [];

    public IReadOnlyList<StateOperation> Operations => _operations;
    public IReadOnlyList<OutboxEntry> Outbox => _outbox;
    public bool IsEmpty => _operations.Count == 0 && _outbox.Count == 0;

    public StateTransaction Set(string key, ReadOnlyMemory<byte> value, StateCondition condition = default, TimeSpan? timeToLive = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _operations.Add(new StateOperation.Set(key, value, condition, timeToLive));
        return this;
    }

    public StateTransaction Delete(string key, StateCondition condition = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _operations.Add(new StateOperation.Delete(key, condition));
        return this;
    }

    /// <summary>Checks a condition on a key the transaction does not write (e.g. a parent aggregate).</summary>
    public StateTransaction Check(string key, StateCondition condition)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _operations.Add(new StateOperation.Check(key, condition));
        return this;
    }

    public StateTransaction AddToIndex(string index, string member, double score)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentException.ThrowIfNullOrEmpty(member);
        _operations.Add(new StateOperation.IndexAdd(index, member, score));
        return this;
    }

    public StateTransaction RemoveFromIndex(string index, string member)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentException.ThrowIfNullOrEmpty(member);
        _operations.Add(new StateOperation.IndexRemove(index, member));
        return this;
    }

    public StateTransaction Enqueue(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _outbox.Add(entry);
        return this;
    }
}

public abstract record StateOperation(string Key)
{
    public sealed record Set(string Key, ReadOnlyMemory<byte> Value, StateCondition Condition, TimeSpan? TimeToLive) : StateOperation(Key);
    public sealed record Delete(string Key, StateCondition Condition) : StateOperation(Key);
    public sealed record Check(string Key, StateCondition Condition) : StateOperation(Key);
    public sealed record IndexAdd(string Index, string Member, double Score) : StateOperation(Index);
    public sealed record IndexRemove(string Index, string Member) : StateOperation(Index);
}
