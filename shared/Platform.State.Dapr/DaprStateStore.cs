using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using Dapr;
using Dapr.Client;

namespace Platform.State.Dapr;

/// <summary>
/// The state port on a Dapr state component, through the sidecar's state API. Every write the port guards is sent
/// with the component ETag read just before it under first-write concurrency, and an absent key is guarded with
/// first-write and no ETag, which Dapr stores implement as "insert only". A commit is one Dapr state transaction
/// holding the values, the sorted indexes and the outbox entries it touches, so it is exactly as atomic as the
/// component's transactions are (see README: Redis-backed components do not roll back).
/// </summary>
public sealed class DaprStateStore : IStateStore
{
    private static readonly TimeSpan TombstoneLifetime = TimeSpan.FromMinutes(1);
    private static readonly IReadOnlyDictionary<string, string> Persist = TtlMetadata(null);
    private static readonly StateOptions Guarded = new() { Concurrency = ConcurrencyMode.FirstWrite, Consistency = ConsistencyMode.Strong };
    private static readonly StateOptions Unguarded = new() { Concurrency = ConcurrencyMode.LastWrite, Consistency = ConsistencyMode.Strong };

    private readonly DaprClient _client;
    private readonly string _component;
    private readonly int _maxCommitAttempts;
    private readonly DaprStateKeys _keys;
    private readonly TimeProvider _time;

    public DaprStateStore(DaprClient client, DaprStateOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _client = client;
        _component = options.ComponentName;
        _maxCommitAttempts = options.MaxCommitAttempts;
        _keys = new DaprStateKeys(options.StoreName);
        _time = timeProvider ?? TimeProvider.System;
        Name = options.StoreName;
    }

    public string Name { get; }

    public async ValueTask<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        DaprStateKeys.ThrowIfReserved(key, nameof(key));
        var seen = await ReadAsync(_keys.Value(key), cancellationToken);
        return LiveValue(seen) is { } stored ? new StateItem(key, stored.Data, stored.ETag) : null;
    }

    public async Task<IReadOnlyDictionary<string, StateItem>> GetManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var byPhysical = new Dictionary<string, string>(keys.Count, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            DaprStateKeys.ThrowIfReserved(key, nameof(keys));
            byPhysical[_keys.Value(key)] = key;
        }

        var found = new Dictionary<string, StateItem>(keys.Count, StringComparer.Ordinal);
        if (byPhysical.Count == 0)
        {
            return found;
        }

        foreach (var seen in (await ReadManyAsync(byPhysical.Keys, cancellationToken)).Values)
        {
            if (LiveValue(seen) is { } stored)
            {
                var key = byPhysical[seen.PhysicalKey];
                found[key] = new StateItem(key, stored.Data, stored.ETag);
            }
        }

        return found;
    }

    public async Task<string> SetAsync(string key, ReadOnlyMemory<byte> value, StateCondition condition = default, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        DaprStateKeys.ThrowIfReserved(key, nameof(key));
        ThrowIfInvalidTimeToLive(key, timeToLive);
        var physical = _keys.Value(key);
        var etag = NewETag();
        if (condition.Kind == StateConditionKind.None)
        {
            await _client.SaveByteStateAsync(_component, physical, EncodeValue(value, timeToLive, etag), Unguarded, TtlMetadata(timeToLive), cancellationToken);
            return etag;
        }

        var saved = await GuardedWriteAsync(physical, cancellationToken, seen =>
        {
            if (!condition.IsSatisfiedBy(LiveValue(seen)?.ETag))
            {
                throw new ConcurrencyConflictException(key, condition);
            }

            return (EncodeValue(value, timeToLive, etag), TtlMetadata(timeToLive));
        });
        return saved ? etag : throw new ConcurrencyConflictException(key, condition);
    }

    public async Task<bool> DeleteAsync(string key, StateCondition condition = default, CancellationToken cancellationToken = default)
    {
        DaprStateKeys.ThrowIfReserved(key, nameof(key));
        var physical = _keys.Value(key);
        Observed? previous = null;
        DaprException? failure = null;
        for (var attempt = 1; attempt <= _maxCommitAttempts; attempt++)
        {
            var seen = await ReadAsync(physical, cancellationToken);
            var live = LiveValue(seen);
            if (!condition.IsSatisfiedBy(live?.ETag))
            {
                throw new ConcurrencyConflictException(key, condition);
            }

            ThrowIfUnchangedAfterFailure(previous, seen, failure);
            if (!seen.Present)
            {
                return false;
            }

            // Deleted under the ETag just read, so the answer "it existed" is about the item actually removed.
            failure = null;
            try
            {
                if (await _client.TryDeleteStateAsync(_component, physical, seen.DaprETag, Guarded, metadata: null, cancellationToken))
                {
                    return live is not null;
                }
            }
            catch (DaprException ex)
            {
                failure = ex;
            }

            previous = seen;
        }

        throw new ConcurrencyConflictException(key, condition);
    }

    public async Task<IReadOnlyDictionary<string, string>> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ValidateTransaction(transaction);
        var plan = new CommitPlan(transaction, _keys);
        if (transaction.IsEmpty)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        IReadOnlyDictionary<string, Observed>? previous = null;
        DaprException? failure = null;
        for (var attempt = 1; ; attempt++)
        {
            var observed = await ReadManyAsync(plan.PhysicalKeys, cancellationToken);
            var now = _time.GetUtcNow();
            CheckConditions(transaction, observed, now.ToUnixTimeMilliseconds());
            var pending = plan.HasOutbox ? ReadOutboxList(observed[_keys.OutboxList]) : null;
            if (pending is not null)
            {
                var ids = pending.Ids.ToHashSet(StringComparer.Ordinal);
                var duplicate = transaction.Outbox.FirstOrDefault(entry => ids.Contains(entry.Id));
                if (duplicate is not null)
                {
                    throw new InvalidOperationException($"Outbox entry '{duplicate.Id}' is already pending in store '{Name}'; nothing was written.");
                }
            }

            var changed = previous is null ? null : FirstChanged(previous, observed);
            if (previous is not null && changed is null && failure is not null)
            {
                // Every key the commit relied on is as it was: the transaction failed for another reason than a race.
                ExceptionDispatchInfo.Throw(failure);
            }

            if (attempt > _maxCommitAttempts)
            {
                throw new ConcurrencyConflictException(plan.LogicalName(changed ?? plan.PhysicalKeys[0]), StateCondition.None);
            }

            var (requests, written) = BuildRequests(plan, observed, pending, now);
            try
            {
                await _client.ExecuteStateTransactionAsync(_component, requests, metadata: null, cancellationToken);
                return written;
            }
            catch (DaprException ex)
            {
                cancellationToken.ThrowIfCancellationRequested();
                failure = ex;
                previous = observed;
                await BackOffAsync(attempt, cancellationToken);
            }
        }
    }

    public async Task<IReadOnlyList<IndexEntry>> ReadIndexAsync(string index, long skip = 0, int take = 100, CancellationToken cancellationToken = default)
    {
        DaprStateKeys.ThrowIfReserved(index, nameof(index));
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(take);
        var seen = await ReadAsync(_keys.Index(index), cancellationToken);
        if (!seen.Present || take == 0)
        {
            return [];
        }

        var members = StoredDocuments.ReadIndex(seen.PhysicalKey, seen.Raw).Members;
        return skip >= members.Count
            ? []
            : members.Skip((int)skip).Take(take).Select(member => new IndexEntry(member.Member, member.Score)).ToArray();
    }

    public async Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        DaprStateKeys.ThrowIfReserved(index, nameof(index));
        var seen = await ReadAsync(_keys.Index(index), cancellationToken);
        return seen.Present ? StoredDocuments.ReadIndex(seen.PhysicalKey, seen.Raw).Members.Count : 0;
    }

    public async Task<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0)
        {
            return [];
        }

        var ids = ReadOutboxList(await ReadAsync(_keys.OutboxList, cancellationToken)).Ids.Take(max).ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        var entries = await ReadManyAsync(ids.Select(_keys.OutboxEntry).ToList(), cancellationToken);
        var oldest = new List<OutboxEntry>(ids.Count);
        foreach (var id in ids)
        {
            var seen = entries[_keys.OutboxEntry(id)];
            if (!seen.Present)
            {
                throw new InvalidDataException($"Outbox of store '{Name}' lists entry '{id}' but its key is missing; the component did not apply a commit atomically.");
            }

            var stored = StoredDocuments.ReadOutboxEntry(seen.PhysicalKey, seen.Raw);
            oldest.Add(new OutboxEntry(stored.Id, stored.Topic, stored.Key, stored.Headers, stored.Payload));
        }

        return oldest;
    }

    public async Task AcknowledgeOutboxAsync(IReadOnlyCollection<string> entryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        var acknowledged = entryIds.ToHashSet(StringComparer.Ordinal);
        Observed? previous = null;
        DaprException? failure = null;
        for (var attempt = 1; attempt <= _maxCommitAttempts; attempt++)
        {
            var seen = await ReadAsync(_keys.OutboxList, cancellationToken);
            ThrowIfUnchangedAfterFailure(previous, seen, failure);
            var pending = ReadOutboxList(seen).Ids;
            var removed = pending.Where(acknowledged.Contains).ToList();
            if (removed.Count == 0)
            {
                return;
            }

            var remaining = pending.Where(id => !acknowledged.Contains(id)).ToList();
            var requests = removed
                .Select(id => new StateTransactionRequest(_keys.OutboxEntry(id), null, StateOperationType.Delete, null, null, Unguarded))
                .Append(remaining.Count == 0
                    ? new StateTransactionRequest(seen.PhysicalKey, null, StateOperationType.Delete, seen.DaprETag, null, Guarded)
                    : new StateTransactionRequest(seen.PhysicalKey, StoredDocuments.Serialize(new OutboxList(remaining)), StateOperationType.Upsert, seen.DaprETag, Persist, Guarded))
                .ToList();
            try
            {
                await _client.ExecuteStateTransactionAsync(_component, requests, metadata: null, cancellationToken);
                return;
            }
            catch (DaprException ex)
            {
                cancellationToken.ThrowIfCancellationRequested();
                failure = ex;
                previous = seen;
                await BackOffAsync(attempt, cancellationToken);
            }
        }

        throw new ConcurrencyConflictException("outbox", StateCondition.None);
    }

    public async Task<long> CountOutboxAsync(CancellationToken cancellationToken = default) =>
        ReadOutboxList(await ReadAsync(_keys.OutboxList, cancellationToken)).Ids.Count;

    public async Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        DaprStateKeys.ThrowIfReserved(name, nameof(name));
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var ownerBytes = Encoding.UTF8.GetBytes(owner);
        var held = false;
        var saved = await GuardedWriteAsync(_keys.Lease(name), cancellationToken, seen =>
        {
            var holder = LiveValue(seen);
            held = holder is not null && !holder.Data.AsSpan().SequenceEqual(ownerBytes);
            return held ? null : (EncodeValue(ownerBytes, duration, NewETag()), TtlMetadata(duration));
        });
        return saved && !held;
    }

    public async Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken = default)
    {
        DaprStateKeys.ThrowIfReserved(name, nameof(name));
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var physical = _keys.Lease(name);
        var ownerBytes = Encoding.UTF8.GetBytes(owner);
        for (var attempt = 1; attempt <= _maxCommitAttempts; attempt++)
        {
            var seen = await ReadAsync(physical, cancellationToken);
            if (LiveValue(seen) is not { } holder || !holder.Data.AsSpan().SequenceEqual(ownerBytes))
            {
                return;
            }

            // Only the holder's own version is removed: a renewal or a new holder in between changes the ETag.
            if (await _client.TryDeleteStateAsync(_component, physical, seen.DaprETag, Guarded, metadata: null, cancellationToken))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Reads a key, lets <paramref name="decide"/> produce the new value (or null: write nothing), and writes it under
    /// the ETag just read; when the write loses a race it reads and decides again. Returns false when nothing was
    /// written. A failure that is not a race (the key is as it was) is rethrown.
    /// </summary>
    private async Task<bool> GuardedWriteAsync(
        string physical,
        CancellationToken cancellationToken,
        Func<Observed, (byte[] Value, IReadOnlyDictionary<string, string> Metadata)?> decide)
    {
        Observed? previous = null;
        DaprException? failure = null;
        for (var attempt = 1; attempt <= _maxCommitAttempts; attempt++)
        {
            var seen = await ReadAsync(physical, cancellationToken);
            if (decide(seen) is not { } write)
            {
                return false;
            }

            ThrowIfUnchangedAfterFailure(previous, seen, failure);
            failure = null;
            try
            {
                // An absent key is written with an empty ETag: first-write then means "only if it still does not exist".
                if (await _client.TrySaveByteStateAsync(_component, physical, write.Value, seen.DaprETag, Guarded, write.Metadata, cancellationToken))
                {
                    return true;
                }
            }
            catch (DaprException ex)
            {
                // Redis-backed components report "first-write on an existing key" as a plain error, not as an ETag
                // mismatch; reading again tells a lost race from a real failure.
                cancellationToken.ThrowIfCancellationRequested();
                failure = ex;
            }

            previous = seen;
        }

        return false;
    }

    // Jittered and growing, so committers racing for the same index or outbox list spread out instead of colliding again.
    private Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, Math.Min(50, 1 << Math.Min(attempt, 6)))), _time, cancellationToken);

    private static void ThrowIfUnchangedAfterFailure(Observed? previous, Observed seen, DaprException? failure)
    {
        if (failure is not null && previous is { } before && before.Present == seen.Present
            && string.Equals(before.DaprETag, seen.DaprETag, StringComparison.Ordinal))
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void CheckConditions(StateTransaction transaction, IReadOnlyDictionary<string, Observed> observed, long now)
    {
        // Against the state before the transaction, in the order the caller wrote them, as the port promises.
        foreach (var operation in transaction.Operations)
        {
            var condition = ConditionOf(operation);
            if (condition.Kind == StateConditionKind.None)
            {
                continue;
            }

            var live = LiveValue(observed[_keys.Value(operation.Key)], now);
            if (!condition.IsSatisfiedBy(live?.ETag))
            {
                throw new ConcurrencyConflictException(operation.Key, condition);
            }
        }
    }

    private (List<StateTransactionRequest> Requests, Dictionary<string, string> Written) BuildRequests(
        CommitPlan plan, IReadOnlyDictionary<string, Observed> observed, OutboxList? pending, DateTimeOffset now)
    {
        var requests = new List<StateTransactionRequest>();
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        var nowMilliseconds = now.ToUnixTimeMilliseconds();

        foreach (var (key, operations) in plan.Values)
        {
            var physical = _keys.Value(key);
            var seen = observed[physical];
            var guarded = operations.Any(operation => ConditionOf(operation).Kind != StateConditionKind.None);
            switch (operations.LastOrDefault(operation => operation is StateOperation.Set or StateOperation.Delete))
            {
                case StateOperation.Set set:
                    var etag = NewETag();
                    requests.Add(new StateTransactionRequest(physical, EncodeValue(set.Value, set.TimeToLive, etag, now), StateOperationType.Upsert,
                        guarded ? seen.DaprETag : null, TtlMetadata(set.TimeToLive), guarded ? Guarded : Unguarded));
                    written[key] = etag;
                    break;
                case StateOperation.Delete when seen.Present:
                    requests.Add(new StateTransactionRequest(physical, null, StateOperationType.Delete,
                        guarded ? seen.DaprETag : null, null, guarded ? Guarded : Unguarded));
                    break;
                case StateOperation.Delete when guarded:
                    requests.Add(Tombstone(physical, now));
                    break;
                case StateOperation.Delete:
                    break;
                default:
                    // Only checks: the key is written back unchanged under its ETag (the port ETag inside stays the
                    // same), or guarded by a tombstone while absent, so a concurrent writer makes the commit fail.
                    if (guarded)
                    {
                        requests.Add(seen.Present
                            ? new StateTransactionRequest(physical, seen.Raw, StateOperationType.Upsert, seen.DaprETag,
                                TtlMetadata(RemainingLifetime(physical, seen, nowMilliseconds)), Guarded)
                            : Tombstone(physical, now));
                    }

                    break;
            }
        }

        foreach (var (index, operations) in plan.Indexes)
        {
            var physical = _keys.Index(index);
            var seen = observed[physical];
            var members = seen.Present
                ? StoredDocuments.ReadIndex(physical, seen.Raw).Members.ToDictionary(member => member.Member, member => member.Score, StringComparer.Ordinal)
                : new Dictionary<string, double>(StringComparer.Ordinal);
            var changed = false;
            foreach (var operation in operations)
            {
                switch (operation)
                {
                    case StateOperation.IndexAdd add:
                        changed |= !members.TryGetValue(add.Member, out var score) || !score.Equals(add.Score);
                        members[add.Member] = add.Score;
                        break;
                    case StateOperation.IndexRemove remove:
                        changed |= members.Remove(remove.Member);
                        break;
                }
            }

            if (!changed)
            {
                continue;
            }

            requests.Add(members.Count == 0
                ? new StateTransactionRequest(physical, null, StateOperationType.Delete, seen.DaprETag, null, Guarded)
                : new StateTransactionRequest(physical, StoredDocuments.Serialize(SortedIndex(members)), StateOperationType.Upsert, seen.DaprETag, Persist, Guarded));
        }

        if (pending is not null)
        {
            foreach (var entry in plan.Outbox)
            {
                var physical = _keys.OutboxEntry(entry.Id);
                var stored = new StoredOutboxEntry(entry.Id, entry.Topic, entry.Key, new Dictionary<string, string>(entry.Headers, StringComparer.Ordinal), entry.Payload.ToArray());
                requests.Add(new StateTransactionRequest(physical, StoredDocuments.Serialize(stored), StateOperationType.Upsert, observed[physical].DaprETag, Persist, Guarded));
            }

            var list = observed[_keys.OutboxList];
            var ids = new List<string>(pending.Ids.Count + plan.Outbox.Count);
            ids.AddRange(pending.Ids);
            ids.AddRange(plan.Outbox.Select(entry => entry.Id));
            requests.Add(new StateTransactionRequest(list.PhysicalKey, StoredDocuments.Serialize(new OutboxList(ids)), StateOperationType.Upsert, list.DaprETag, Persist, Guarded));
        }

        return (requests, written);
    }

    private StateTransactionRequest Tombstone(string physical, DateTimeOffset now) =>
        new(physical, StoredDocuments.Serialize(new StoredValue { ETag = NewETag(), Deleted = true, ExpiresAt = (now + TombstoneLifetime).ToUnixTimeMilliseconds() }),
            StateOperationType.Upsert, string.Empty, TtlMetadata(TombstoneLifetime), Guarded);

    private static TimeSpan? RemainingLifetime(string physical, Observed seen, long nowMilliseconds)
    {
        var stored = StoredDocuments.ReadValue(physical, seen.Raw);
        return stored.ExpiresAt is { } expiresAt ? TimeSpan.FromMilliseconds(Math.Max(1, expiresAt - nowMilliseconds)) : null;
    }

    private static IndexDocument SortedIndex(Dictionary<string, double> members)
    {
        var sorted = members.Select(pair => new IndexMember(pair.Key, pair.Value)).ToList();
        sorted.Sort(ScoreThenMember);
        return new IndexDocument(sorted);
    }

    // The order a Redis sorted set keeps: by score, then by member bytes (UTF-8), which is code point order.
    private static int ScoreThenMember(IndexMember x, IndexMember y)
    {
        var byScore = x.Score.CompareTo(y.Score);
        if (byScore != 0)
        {
            return byScore;
        }

        var left = x.Member.EnumerateRunes();
        var right = y.Member.EnumerateRunes();
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

    private static OutboxList ReadOutboxList(Observed seen) =>
        seen.Present ? StoredDocuments.ReadOutboxList(seen.PhysicalKey, seen.Raw) : new OutboxList([]);

    private static string? FirstChanged(IReadOnlyDictionary<string, Observed> before, IReadOnlyDictionary<string, Observed> after)
    {
        foreach (var (key, seen) in after)
        {
            if (!before.TryGetValue(key, out var earlier) || earlier.Present != seen.Present
                || !string.Equals(earlier.DaprETag, seen.DaprETag, StringComparison.Ordinal))
            {
                return key;
            }
        }

        return null;
    }

    private StoredValue? LiveValue(Observed seen) => LiveValue(seen, _time.GetUtcNow().ToUnixTimeMilliseconds());

    private static StoredValue? LiveValue(Observed seen, long nowMilliseconds)
    {
        if (!seen.Present)
        {
            return null;
        }

        var stored = StoredDocuments.ReadValue(seen.PhysicalKey, seen.Raw);
        return stored.IsLive(nowMilliseconds) ? stored : null;
    }

    private byte[] EncodeValue(ReadOnlyMemory<byte> value, TimeSpan? timeToLive, string etag) =>
        EncodeValue(value, timeToLive, etag, _time.GetUtcNow());

    private static byte[] EncodeValue(ReadOnlyMemory<byte> value, TimeSpan? timeToLive, string etag, DateTimeOffset now) =>
        StoredDocuments.Serialize(new StoredValue
        {
            ETag = etag,
            ExpiresAt = timeToLive is { } ttl ? (now + ttl).ToUnixTimeMilliseconds() : null,
            Data = value.ToArray(),
        });

    /// <summary>
    /// The component's TTL in whole seconds, rounded up so it never removes a key the port still shows; the exact
    /// expiry is enforced on read. Without a TTL, -1 tells the component to drop any TTL the key had: omitting it
    /// would leave an earlier TTL in place on Redis-backed components.
    /// </summary>
    private static IReadOnlyDictionary<string, string> TtlMetadata(TimeSpan? timeToLive) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ttlInSeconds"] = timeToLive is { } ttl
            ? Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture)
            : "-1",
    };

    private static string NewETag() => Guid.NewGuid().ToString("N");

    private async Task<Observed> ReadAsync(string physical, CancellationToken cancellationToken)
    {
        var (data, etag) = await _client.GetByteStateAndETagAsync(_component, physical, ConsistencyMode.Strong, metadata: null, cancellationToken);
        return Observed.From(physical, data.ToArray(), etag);
    }

    private async Task<IReadOnlyDictionary<string, Observed>> ReadManyAsync(IReadOnlyCollection<string> physicalKeys, CancellationToken cancellationToken)
    {
        var distinct = physicalKeys.Distinct(StringComparer.Ordinal).ToList();
        var items = await _client.GetBulkStateAsync(_component, distinct, parallelism: null, metadata: null, cancellationToken);
        var observed = distinct.ToDictionary(key => key, key => Observed.From(key, [], null), StringComparer.Ordinal);
        foreach (var item in items)
        {
            // The SDK hands bulk values over as UTF-8 text; every document this adapter writes is JSON, so nothing is lost.
            observed[item.Key] = Observed.From(item.Key, string.IsNullOrEmpty(item.Value) ? [] : Encoding.UTF8.GetBytes(item.Value), item.ETag);
        }

        return observed;
    }

    private static StateCondition ConditionOf(StateOperation operation) => operation switch
    {
        StateOperation.Set set => set.Condition,
        StateOperation.Delete delete => delete.Condition,
        StateOperation.Check check => check.Condition,
        _ => StateCondition.None,
    };

    private static void ThrowIfInvalidTimeToLive(string key, TimeSpan? timeToLive)
    {
        if (timeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), ttl, $"Time to live of key '{key}' must be positive.");
        }
    }

    // The same rules every adapter applies before touching storage (Platform.State keeps its copy internal).
    private static void ValidateTransaction(StateTransaction transaction)
    {
        foreach (var operation in transaction.Operations)
        {
            DaprStateKeys.ThrowIfReserved(operation.Key, nameof(transaction));
            switch (operation)
            {
                case StateOperation.Set set:
                    ThrowIfInvalidTimeToLive(set.Key, set.TimeToLive);
                    break;
                case StateOperation.IndexAdd add when double.IsNaN(add.Score):
                    throw new ArgumentOutOfRangeException(nameof(transaction), add.Score, $"Score of '{add.Member}' in index '{add.Index}' is not a number.");
                case StateOperation.Delete or StateOperation.Check or StateOperation.IndexAdd or StateOperation.IndexRemove:
                    break;
                default:
                    throw new NotSupportedException($"State operation {operation.GetType().Name} is not one the Dapr state adapter knows.");
            }
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in transaction.Outbox)
        {
            if (string.IsNullOrEmpty(entry.Id) || string.IsNullOrEmpty(entry.Topic) || entry.Key is null || entry.Headers is null)
            {
                throw new ArgumentException($"Outbox entry '{entry.Id}' needs an id, a topic, a key and headers.", nameof(transaction));
            }

            DaprStateKeys.ThrowIfReserved(entry.Id, nameof(transaction));
            if (!ids.Add(entry.Id))
            {
                throw new ArgumentException($"Outbox entry id '{entry.Id}' appears twice in one transaction.", nameof(transaction));
            }
        }
    }

    /// <summary>A key as read from the component: its bytes (empty when absent) and the component's own ETag.</summary>
    private readonly record struct Observed(string PhysicalKey, byte[] Raw, string DaprETag, bool Present)
    {
        public static Observed From(string physicalKey, byte[] data, string? etag) =>
            new(physicalKey, data, etag ?? string.Empty, data.Length > 0 || !string.IsNullOrEmpty(etag));
    }

    /// <summary>The keys a transaction touches, grouped: values in first-use order, indexes, outbox.</summary>
    private sealed class CommitPlan
    {
        private readonly Dictionary<string, string> _logical = new(StringComparer.Ordinal);

        public CommitPlan(StateTransaction transaction, DaprStateKeys keys)
        {
            foreach (var operation in transaction.Operations)
            {
                if (operation is StateOperation.IndexAdd or StateOperation.IndexRemove)
                {
                    Add(Indexes, operation.Key, operation, keys.Index(operation.Key));
                }
                else
                {
                    Add(Values, operation.Key, operation, keys.Value(operation.Key));
                }
            }

            Outbox = transaction.Outbox;
            if (HasOutbox)
            {
                Remember(keys.OutboxList, "outbox");
                foreach (var entry in Outbox)
                {
                    Remember(keys.OutboxEntry(entry.Id), "outbox entry " + entry.Id);
                }
            }
        }

        public List<(string Key, List<StateOperation> Operations)> Values { get; } = [];
        public List<(string Key, List<StateOperation> Operations)> Indexes { get; } = [];
        public IReadOnlyList<OutboxEntry> Outbox { get; }
        public bool HasOutbox => Outbox.Count > 0;
        public List<string> PhysicalKeys { get; } = [];

        public string LogicalName(string physical) => _logical.GetValueOrDefault(physical, physical);

        private void Add(List<(string Key, List<StateOperation> Operations)> group, string key, StateOperation operation, string physical)
        {
            var existing = group.FindIndex(item => string.Equals(item.Key, key, StringComparison.Ordinal));
            if (existing >= 0)
            {
                group[existing].Operations.Add(operation);
                return;
            }

            group.Add((key, [operation]));
            Remember(physical, key);
        }

        private void Remember(string physical, string logical)
        {
            if (_logical.TryAdd(physical, logical))
            {
                PhysicalKeys.Add(physical);
            }
        }
    }
}
