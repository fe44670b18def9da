using System.Globalization;

namespace Platform.State;

/// <summary>
/// The state port held in process memory: for the local host, functional tests and anything that needs the
/// exact semantics of <see cref="IStateStore"/> without Redis. One lock serialises every access, which is what
/// makes a commit atomic; the work under it is dictionary-sized, so it is not a bottleneck at local scale.
/// </summary>
public sealed class InMemoryStateStore : IStateStore
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, StoredItem> _items = new(StringComparer.Ordinal);
    private readonly PriorityQueue<(string Key, string ETag), DateTimeOffset> _expiries = new();
    private readonly Dictionary<string, SortedIndex> _indexes = new(StringComparer.Ordinal);
    private readonly LinkedList<OutboxEntry> _outbox = new();
    private readonly Dictionary<string, LinkedListNode<OutboxEntry>> _outboxById = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    // Store-wide rather than per key: a key deleted and written again must never get back an ETag it had before.
    private long _lastETag;

    public InMemoryStateStore(string name, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Name { get; }

    public ValueTask<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            RemoveExpired();
            return ValueTask.FromResult(_items.TryGetValue(key, out var item) ? item.ToStateItem(key) : null);
        }
    }

    public Task<IReadOnlyDictionary<string, StateItem>> GetManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new Dictionary<string, StateItem>(keys.Count, StringComparer.Ordinal);
        lock (_gate)
        {
            RemoveExpired();
            foreach (var key in keys)
            {
                if (_items.TryGetValue(key, out var item))
                {
                    found[key] = item.ToStateItem(key);
                }
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, StateItem>>(found);
    }

    public async Task<string> SetAsync(string key, ReadOnlyMemory<byte> value, StateCondition condition = default, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var written = await CommitAsync(new StateTransaction().Set(key, value, condition, timeToLive), cancellationToken).ConfigureAwait(false);
        return written[key];
    }

    public Task<bool> DeleteAsync(string key, StateCondition condition = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        lock (_gate)
        {
            RemoveExpired();
            var existed = _items.TryGetValue(key, out var current);
            if (!condition.IsSatisfiedBy(current?.ETag))
            {
                throw new ConcurrencyConflictException(key, condition);
            }

            _items.Remove(key);
            return Task.FromResult(existed);
        }
    }

    public Task<IReadOnlyDictionary<string, string>> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        cancellationToken.ThrowIfCancellationRequested();
        StateTransactionRules.Validate(transaction);

        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        lock (_gate)
        {
            RemoveExpired();

            foreach (var operation in transaction.Operations)
            {
                var condition = operation switch
                {
                    StateOperation.Set set => set.Condition,
                    StateOperation.Delete delete => delete.Condition,
                    StateOperation.Check check => check.Condition,
                    _ => StateCondition.None,
                };
                var currentETag = _items.TryGetValue(operation.Key, out var current) ? current.ETag : null;
                if (!condition.IsSatisfiedBy(currentETag))
                {
                    throw new ConcurrencyConflictException(operation.Key, condition);
                }
            }

            foreach (var entry in transaction.Outbox)
            {
                if (_outboxById.ContainsKey(entry.Id))
                {
                    throw new InvalidOperationException($"Outbox entry '{entry.Id}' is already pending in store '{Name}'; nothing was written.");
                }
            }

            // Nothing below can fail, so the transaction is all-or-nothing without an undo log.
            var now = _time.GetUtcNow();
            foreach (var operation in transaction.Operations)
            {
                switch (operation)
                {
                    case StateOperation.Set set:
                        var etag = (++_lastETag).ToString(CultureInfo.InvariantCulture);
                        DateTimeOffset? expiresAt = set.TimeToLive is { } ttl ? now + ttl : null;
                        _items[set.Key] = new StoredItem(set.Value.ToArray(), etag, expiresAt);
                        if (expiresAt is { } at)
                        {
                            _expiries.Enqueue((set.Key, etag), at);
                        }

                        written[set.Key] = etag;
                        break;
                    case StateOperation.Delete delete:
                        _items.Remove(delete.Key);
                        written.Remove(delete.Key);
                        break;
                    case StateOperation.IndexAdd add:
                        IndexFor(add.Index).Add(add.Member, add.Score);
                        break;
                    case StateOperation.IndexRemove remove:
                        if (_indexes.TryGetValue(remove.Index, out var index) && index.Remove(remove.Member) && index.Count == 0)
                        {
                            _indexes.Remove(remove.Index);
                        }

                        break;
                }
            }

            foreach (var entry in transaction.Outbox)
            {
                var copy = entry with
                {
                    Headers = new Dictionary<string, string>(entry.Headers, StringComparer.Ordinal),
                    Payload = entry.Payload.ToArray(),
                };
                _outboxById[entry.Id] = _outbox.AddLast(copy);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, string>>(written);
    }

    public Task<IReadOnlyList<IndexEntry>> ReadIndexAsync(string index, long skip = 0, int take = 100, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(take);
        lock (_gate)
        {
            IReadOnlyList<IndexEntry> page = _indexes.TryGetValue(index, out var sorted) ? sorted.Page(skip, take) : [];
            return Task.FromResult(page);
        }
    }

    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        lock (_gate)
        {
            return Task.FromResult(_indexes.TryGetValue(index, out var sorted) ? (long)sorted.Count : 0L);
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (_gate)
        {
            IReadOnlyList<OutboxEntry> oldest = _outbox.Take(max).ToArray();
            return Task.FromResult(oldest);
        }
    }

    public Task AcknowledgeOutboxAsync(IReadOnlyCollection<string> entryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        lock (_gate)
        {
            foreach (var id in entryIds)
            {
                if (_outboxById.Remove(id, out var node))
                {
                    _outbox.Remove(node);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<long> CountOutboxAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult((long)_outbox.Count);
        }
    }

    public Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (_leases.TryGetValue(name, out var lease) && lease.ExpiresAt > now && !string.Equals(lease.Owner, owner, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            _leases[name] = new Lease(owner, now + duration);
            return Task.FromResult(true);
        }
    }

    public Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        lock (_gate)
        {
            if (_leases.TryGetValue(name, out var lease) && string.Equals(lease.Owner, owner, StringComparison.Ordinal))
            {
                _leases.Remove(name);
            }
        }

        return Task.CompletedTask;
    }

    private SortedIndex IndexFor(string name)
    {
        if (!_indexes.TryGetValue(name, out var index))
        {
            index = new SortedIndex();
            _indexes[name] = index;
        }

        return index;
    }

    // Expiry queue entries carry the ETag they were scheduled for, so a key rewritten since (with another
    // TTL or none) is not removed by its older schedule.
    private void RemoveExpired()
    {
        var now = _time.GetUtcNow();
        while (_expiries.TryPeek(out var scheduled, out var at) && at <= now)
        {
            _expiries.Dequeue();
            if (_items.TryGetValue(scheduled.Key, out var item) && string.Equals(item.ETag, scheduled.ETag, StringComparison.Ordinal))
            {
                _items.Remove(scheduled.Key);
            }
        }
    }

    private sealed record StoredItem(byte[] Value, string ETag, DateTimeOffset? ExpiresAt)
    {
        public StateItem ToStateItem(string key) => new(key, Value, ETag);
    }

    private sealed record Lease(string Owner, DateTimeOffset ExpiresAt);

    /// <summary>Members ordered as a Redis sorted set orders them: by score, then by member bytes.</summary>
    private sealed class SortedIndex
    {
        private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);
        private readonly SortedSet<(double Score, string Member)> _ordered = new(ScoreThenMember.Instance);

        public int Count => _scores.Count;

        public void Add(string member, double score)
        {
            if (_scores.TryGetValue(member, out var previous))
            {
                _ordered.Remove((previous, member));
            }

            _scores[member] = score;
            _ordered.Add((score, member));
        }

        public bool Remove(string member)
        {
            if (!_scores.Remove(member, out var score))
            {
                return false;
            }

            _ordered.Remove((score, member));
            return true;
        }

        public IndexEntry[] Page(long skip, int take) =>
            skip >= _ordered.Count
                ? []
                : _ordered.Skip((int)skip).Take(take).Select(entry => new IndexEntry(entry.Member, entry.Score)).ToArray();
    }

    private sealed class ScoreThenMember : IComparer<(double Score, string Member)>
    {
        public static readonly ScoreThenMember Instance = new();

        public int Compare((double Score, string Member) x, (double Score, string Member) y)
        {
            var byScore = x.Score.CompareTo(y.Score);
            return byScore != 0 ? byScore : CompareUtf8Order(x.Member, y.Member);
        }

        // Redis breaks score ties by comparing member bytes (UTF-8). Ordinal UTF-16 comparison differs from that
        // for characters above U+D7FF, so compare by code point, which is the same order as UTF-8 bytes.
        private static int CompareUtf8Order(string x, string y)
        {
            var left = x.EnumerateRunes();
            var right = y.EnumerateRunes();
            while (true)
            {
                var hasLeft = left.MoveNext();
                var hasRight = right.MoveNext();
                if (!hasLeft || !hasRight)
                {
                    return hasLeft.CompareTo(hasRight);
                }

                var byRune = left.Current.Value.CompareTo(right.Current.Value);
                if (byRune != 0)
                {
                    return byRune;
                }
            }
        }
    }
}
