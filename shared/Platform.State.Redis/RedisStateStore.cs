using System.Globalization;
using StackExchange.Redis;

namespace Platform.State.Redis;

/// <summary>
/// The state port on Redis. Each item is a hash (value and ETag); ETags come from one INCR counter per store;
/// indexes are sorted sets; the outbox is a stream. Every write goes through one Lua script, which Redis runs
/// without interleaving anything else, so a commit is atomic for every other client.
/// </summary>
public sealed class RedisStateStore : IStateStore
{
    private const string ValueField = "v";
    private const string ETagField = "e";
    private const string OutboxIdField = "id";
    private const string OutboxTopicField = "topic";
    private const string OutboxKeyField = "key";
    private const string OutboxPayloadField = "payload";
    private const string OutboxHeaderPrefix = "h:";
    private const int ArgumentsPerOperation = 5;
    private const int AcknowledgeChunk = 500;

    // Layout: KEYS[1] ETag counter, KEYS[2] outbox stream, KEYS[3] outbox id map, KEYS[3 + i] the key of operation i.
    // ARGV[1] operation count n; then 5 per operation: kind, condition kind, condition ETag, value or member, TTL ms or
    // score; then the outbox entry count and per entry: id, field count f, f name/value pairs.
    // Redis does not undo a script that fails half-way, so every check (conditions, pending outbox ids) runs
    // before the first write, and the writes are commands that cannot fail on keys of the types this store made.
    private const string CommitScript = """
        local n = tonumber(ARGV[1])
        for i = 1, n do
          local base = 2 + (i - 1) * 5
          local condition = ARGV[base + 1]
          if condition ~= '0' then
            local current = redis.call('HGET', KEYS[3 + i], 'e')
            local holds
            if condition == '1' then
              holds = not current
            elseif condition == '2' then
              holds = current ~= false
            else
              holds = current == ARGV[base + 2]
            end
            if not holds then
              return {0, i}
            end
          end
        end

        local outboxStart = 2 + n * 5
        local m = tonumber(ARGV[outboxStart])
        local p = outboxStart + 1
        for j = 1, m do
          if redis.call('HEXISTS', KEYS[3], ARGV[p]) == 1 then
            return {-1, j}
          end
          p = p + 2 + tonumber(ARGV[p + 1]) * 2
        end

        local results = {1}
        for i = 1, n do
          local base = 2 + (i - 1) * 5
          local kind = ARGV[base]
          local key = KEYS[3 + i]
          if kind == 'S' then
            -- '%.0f' because tostring() of a Lua number switches to exponent notation past 1e14.
            local etag = string.format('%.0f', redis.call('INCR', KEYS[1]))
            redis.call('DEL', key)
            redis.call('HSET', key, 'v', ARGV[base + 3], 'e', etag)
            local ttl = tonumber(ARGV[base + 4])
            if ttl > 0 then
              redis.call('PEXPIRE', key, ttl)
            end
            results[i + 1] = etag
          elseif kind == 'D' then
            results[i + 1] = redis.call('DEL', key)
          elseif kind == 'A' then
            redis.call('ZADD', key, ARGV[base + 4], ARGV[base + 3])
            results[i + 1] = 0
          elseif kind == 'R' then
            redis.call('ZREM', key, ARGV[base + 3])
            results[i + 1] = 0
          else
            results[i + 1] = 0
          end
        end

        p = outboxStart + 1
        for j = 1, m do
          local id = ARGV[p]
          local fields = tonumber(ARGV[p + 1])
          local streamId = redis.call('XADD', KEYS[2], '*', unpack(ARGV, p + 2, p + 1 + fields * 2))
          redis.call('HSET', KEYS[3], id, streamId)
          p = p + 2 + fields * 2
        end
        return results
        """;

    private const string AcknowledgeScript = """
        local removed = 0
        for i = 1, #ARGV do
          local streamId = redis.call('HGET', KEYS[2], ARGV[i])
          if streamId then
            removed = removed + redis.call('XDEL', KEYS[1], streamId)
            redis.call('HDEL', KEYS[2], ARGV[i])
          end
        end
        return removed
        """;

    private const string AcquireLeaseScript = """
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return 1
        end
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        return 0
        """;

    private const string ReleaseLeaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private static readonly RedisValue[] ItemFields = [ValueField, ETagField];

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;

    public RedisStateStore(IConnectionMultiplexer redis, string storeName)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _keys = new RedisKeys(storeName);
        Name = storeName;
    }

    public string Name { get; }

    private IDatabase Database => _redis.GetDatabase();

    public async ValueTask<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();
        var fields = await Database.HashGetAsync(_keys.Item(key), ItemFields).WaitAsync(cancellationToken).ConfigureAwait(false);
        return ToItem(key, fields);
    }

    public async Task<IReadOnlyDictionary<string, StateItem>> GetManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var distinct = keys.Distinct(StringComparer.Ordinal).ToArray();
        var found = new Dictionary<string, StateItem>(distinct.Length, StringComparer.Ordinal);
        if (distinct.Length == 0)
        {
            return found;
        }

        var batch = Database.CreateBatch();
        var reads = distinct.Select(key => batch.HashGetAsync(_keys.Item(key), ItemFields)).ToArray();
        batch.Execute();
        var results = await Task.WhenAll(reads).WaitAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < distinct.Length; i++)
        {
            if (ToItem(distinct[i], results[i]) is { } item)
            {
                found[item.Key] = item;
            }
        }

        return found;
    }

    public async Task<string> SetAsync(string key, ReadOnlyMemory<byte> value, StateCondition condition = default, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        var results = await RunCommitAsync(new StateTransaction().Set(key, value, condition, timeToLive), cancellationToken).ConfigureAwait(false);
        return (string)results[1]!;
    }

    public async Task<bool> DeleteAsync(string key, StateCondition condition = default, CancellationToken cancellationToken = default)
    {
        var results = await RunCommitAsync(new StateTransaction().Delete(key, condition), cancellationToken).ConfigureAwait(false);
        return (long)results[1] > 0;
    }

    public async Task<IReadOnlyDictionary<string, string>> CommitAsync(StateTransaction transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        if (transaction.IsEmpty)
        {
            return written;
        }

        var results = await RunCommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < transaction.Operations.Count; i++)
        {
            switch (transaction.Operations[i])
            {
                case StateOperation.Set set:
                    written[set.Key] = (string)results[i + 1]!;
                    break;
                case StateOperation.Delete delete:
                    written.Remove(delete.Key);
                    break;
            }
        }

        return written;
    }

    public async Task<IReadOnlyList<IndexEntry>> ReadIndexAsync(string index, long skip = 0, int take = 100, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        ArgumentOutOfRangeException.ThrowIfNegative(take);
        cancellationToken.ThrowIfCancellationRequested();
        if (take == 0)
        {
            return [];
        }

        var entries = await Database.SortedSetRangeByRankWithScoresAsync(_keys.Index(index), skip, skip + take - 1, Order.Ascending)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return entries.Select(entry => new IndexEntry(entry.Element!, entry.Score)).ToArray();
    }

    public Task<long> CountIndexAsync(string index, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        cancellationToken.ThrowIfCancellationRequested();
        return Database.SortedSetLengthAsync(_keys.Index(index)).WaitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        cancellationToken.ThrowIfCancellationRequested();
        if (max == 0)
        {
            return [];
        }

        var entries = await Database.StreamRangeAsync(_keys.Outbox, "-", "+", max, Order.Ascending)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        return entries.Select(ToOutboxEntry).ToArray();
    }

    public async Task AcknowledgeOutboxAsync(IReadOnlyCollection<string> entryIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entryIds);
        RedisKey[] keys = [_keys.Outbox, _keys.OutboxIds];
        foreach (var chunk in entryIds.Chunk(AcknowledgeChunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ids = chunk.Select(id => (RedisValue)id).ToArray();
            await Database.ScriptEvaluateAsync(AcknowledgeScript, keys, ids).ConfigureAwait(false);
        }
    }

    public Task<long> CountOutboxAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Database.StreamLengthAsync(_keys.Outbox).WaitAsync(cancellationToken);
    }

    public async Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        cancellationToken.ThrowIfCancellationRequested();
        var acquired = await Database.ScriptEvaluateAsync(AcquireLeaseScript, [_keys.Lease(name)], [owner, Milliseconds(duration)])
            .ConfigureAwait(false);
        return (long)acquired == 1;
    }

    public async Task ReleaseLeaseAsync(string name, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        cancellationToken.ThrowIfCancellationRequested();
        await Database.ScriptEvaluateAsync(ReleaseLeaseScript, [_keys.Lease(name)], [owner]).ConfigureAwait(false);
    }

    private async Task<RedisResult[]> RunCommitAsync(StateTransaction transaction, CancellationToken cancellationToken)
    {
        StateTransactionRules.Validate(transaction);
        cancellationToken.ThrowIfCancellationRequested();

        var operations = transaction.Operations;
        var keys = new RedisKey[3 + operations.Count];
        keys[0] = _keys.ETagCounter;
        keys[1] = _keys.Outbox;
        keys[2] = _keys.OutboxIds;

        var arguments = new List<RedisValue>(2 + (operations.Count * ArgumentsPerOperation) + (transaction.Outbox.Count * 12))
        {
            operations.Count,
        };
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            switch (operation)
            {
                case StateOperation.Set set:
                    keys[3 + i] = _keys.Item(set.Key);
                    AddOperation(arguments, "S", set.Condition, set.Value, set.TimeToLive is { } ttl ? Milliseconds(ttl) : 0L);
                    break;
                case StateOperation.Delete delete:
                    keys[3 + i] = _keys.Item(delete.Key);
                    AddOperation(arguments, "D", delete.Condition, RedisValue.EmptyString, 0L);
                    break;
                case StateOperation.Check check:
                    keys[3 + i] = _keys.Item(check.Key);
                    AddOperation(arguments, "C", check.Condition, RedisValue.EmptyString, 0L);
                    break;
                case StateOperation.IndexAdd add:
                    keys[3 + i] = _keys.Index(add.Index);
                    AddOperation(arguments, "A", StateCondition.None, add.Member, FormatScore(add.Score));
                    break;
                case StateOperation.IndexRemove remove:
                    keys[3 + i] = _keys.Index(remove.Index);
                    AddOperation(arguments, "R", StateCondition.None, remove.Member, 0L);
                    break;
                default:
                    throw new NotSupportedException($"State operation {operation.GetType().Name} is not one the state adapters know.");
            }
        }

        arguments.Add(transaction.Outbox.Count);
        foreach (var entry in transaction.Outbox)
        {
            arguments.Add(entry.Id);
            arguments.Add(4 + entry.Headers.Count);
            arguments.Add(OutboxIdField);
            arguments.Add(entry.Id);
            arguments.Add(OutboxTopicField);
            arguments.Add(entry.Topic);
            arguments.Add(OutboxKeyField);
            arguments.Add(entry.Key);
            arguments.Add(OutboxPayloadField);
            arguments.Add(entry.Payload);
            foreach (var (name, value) in entry.Headers)
            {
                arguments.Add(OutboxHeaderPrefix + name);
                arguments.Add(value);
            }
        }

        // No cancellation once sent: abandoning an in-flight commit would leave the caller unsure whether it applied.
        var outcome = (RedisResult[])(await Database.ScriptEvaluateAsync(CommitScript, keys, [.. arguments]).ConfigureAwait(false))!;
        switch ((long)outcome[0])
        {
            case 1:
                return outcome;
            case 0:
                var failed = operations[(int)(long)outcome[1] - 1];
                throw new ConcurrencyConflictException(failed.Key, ConditionOf(failed));
            default:
                var duplicate = transaction.Outbox[(int)(long)outcome[1] - 1];
                throw new InvalidOperationException($"Outbox entry '{duplicate.Id}' is already pending in store '{Name}'; nothing was written.");
        }
    }

    private static void AddOperation(List<RedisValue> arguments, string kind, StateCondition condition, RedisValue valueOrMember, RedisValue ttlOrScore)
    {
        arguments.Add(kind);
        arguments.Add((int)condition.Kind);
        arguments.Add(condition.ETag ?? "");
        arguments.Add(valueOrMember);
        arguments.Add(ttlOrScore);
    }

    private static StateCondition ConditionOf(StateOperation operation) => operation switch
    {
        StateOperation.Set set => set.Condition,
        StateOperation.Delete delete => delete.Condition,
        StateOperation.Check check => check.Condition,
        _ => StateCondition.None,
    };

    // Rounded up: a sub-millisecond TTL must still expire, and PEXPIRE 0 would delete at once.
    private static long Milliseconds(TimeSpan duration) => Math.Max(1L, (long)Math.Ceiling(duration.TotalMilliseconds));

    private static string FormatScore(double score) => score switch
    {
        double.PositiveInfinity => "+inf",
        double.NegativeInfinity => "-inf",
        _ => score.ToString("R", CultureInfo.InvariantCulture),
    };

    private static StateItem? ToItem(string key, RedisValue[] fields) =>
        fields[1].IsNull ? null : new StateItem(key, (byte[])fields[0]! ?? [], (string)fields[1]!);

    private static OutboxEntry ToOutboxEntry(StreamEntry entry)
    {
        string? id = null, topic = null, key = null;
        ReadOnlyMemory<byte> payload = ReadOnlyMemory<byte>.Empty;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in entry.Values)
        {
            var name = (string)field.Name!;
            switch (name)
            {
                case OutboxIdField:
                    id = field.Value;
                    break;
                case OutboxTopicField:
                    topic = field.Value;
                    break;
                case OutboxKeyField:
                    key = field.Value;
                    break;
                case OutboxPayloadField:
                    payload = (byte[])field.Value! ?? [];
                    break;
                default:
                    if (name.StartsWith(OutboxHeaderPrefix, StringComparison.Ordinal))
                    {
                        headers[name[OutboxHeaderPrefix.Length..]] = field.Value!;
                    }

                    break;
            }
        }

        if (id is null || topic is null || key is null)
        {
            throw new InvalidOperationException($"Outbox stream entry {entry.Id} lacks its id, topic or key field; it was not written by this store.");
        }

        return new OutboxEntry(id, topic, key, headers, payload);
    }
}
