using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using StackExchange.Redis;

namespace Platform.State.Redis;

/// <summary>
/// Two-level cache-aside: an in-process copy (L1) in front of Redis (L2, shared by every instance of the service).
/// Writes and invalidations are published on a Redis channel and every instance drops its L1 copy.
/// Values travel as JSON; the L1 copy is shared by reference, so cache immutable objects (records).
/// </summary>
public sealed partial class RedisReferenceCache : IReferenceCache, IDisposable
{
    private const string LookupScript = "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}";

    // The category set outlives its members (its TTL only grows), so invalidating a category finds every live key.
    private const string StoreScript = """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('SADD', KEYS[2], KEYS[1])
        if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then
          redis.call('PEXPIRE', KEYS[2], ARGV[2])
        end
        return 1
        """;

    private const string InvalidateKeyScript = """
        redis.call('SREM', KEYS[2], KEYS[1])
        return redis.call('DEL', KEYS[1])
        """;

    // Members are not declared in KEYS, which a cluster allows here because they share the store's hash tag and so
    // its slot. DEL is chunked to stay below Lua's unpack limit.
    private const string InvalidateCategoryScript = """
        local members = redis.call('SMEMBERS', KEYS[1])
        for i = 1, #members, 500 do
          redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
        end
        redis.call('DEL', KEYS[1])
        return #members
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly RedisChannel _channel;
    private readonly ReferenceCacheOptions _options;
    private readonly ReferenceCacheMetrics _metrics;
    private readonly ILogger _logger;
    private readonly MemoryCache _local = new(new MemoryCacheOptions());
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _categoryTokens = new(StringComparer.Ordinal);
    private readonly Lock _subscriptionGate = new();
    private Task? _subscription;

    // Bumped by every invalidation seen here; a load or L2 read that overlapped one may hold the old value,
    // so its result is returned but not cached.
    private long _invalidationEpoch;

    public RedisReferenceCache(
        IConnectionMultiplexer redis,
        string storeName,
        IOptions<ReferenceCacheOptions>? options = null,
        IMeterFactory? meterFactory = null,
        ILogger<RedisReferenceCache>? logger = null)
    {
        _redis = redis ?? throw new ArgumentNullException(nameof(redis));
        _keys = new RedisKeys(storeName);
        _channel = RedisChannel.Literal(_keys.ReferenceInvalidations);
        _options = options?.Value ?? new ReferenceCacheOptions();
        _metrics = new ReferenceCacheMetrics(meterFactory, "redis");
        _logger = logger ?? NullLogger<RedisReferenceCache>.Instance;

        // Invalidations published while the subscription was down are lost; anything held locally may be stale.
        _redis.ConnectionRestored += OnConnectionRestored;
    }

    private IDatabase Database => _redis.GetDatabase();

    public async Task<T?> GetOrLoadAsync<T>(string category, string key, Func<CancellationToken, Task<T?>> loader, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        where T : class
    {
        ReferenceCacheOptions.ValidateCategory(category);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(loader);
        var ttl = ReferenceCacheOptions.Resolve(timeToLive, _options);

        if (_local.TryGetValue((category, key), out var held) && held is T localHit)
        {
            _metrics.Lookup(category, ReferenceCacheMetrics.HitLocal);
            return localHit;
        }

        var epoch = Interlocked.Read(ref _invalidationEpoch);
        var redisKey = _keys.Reference(category, key);
        var redisUsable = true;
        try
        {
            await EnsureSubscribedAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            var found = (RedisResult[])(await Database.ScriptEvaluateAsync(LookupScript, [redisKey]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
            var remaining = (long)found[1];
            if (!found[0].IsNull && remaining > 0 && Deserialize<T>((byte[])found[0]!, redisKey) is { } shared)
            {
                _metrics.Lookup(category, ReferenceCacheMetrics.HitRedis);
                StoreLocal(category, key, shared, TimeSpan.FromMilliseconds(remaining), epoch);
                return shared;
            }
        }
        catch (RedisException exception)
        {
            // Reference data must stay readable through a Redis outage: load from the source, cache nothing.
            redisUsable = false;
            LogRedisUnavailable(_logger, exception, category);
        }

        _metrics.Lookup(category, ReferenceCacheMetrics.Miss);
        var started = Stopwatch.GetTimestamp();
        var loaded = await loader(cancellationToken).ConfigureAwait(false);
        _metrics.Loaded(category, Stopwatch.GetElapsedTime(started));
        if (loaded is null || !redisUsable || Interlocked.Read(ref _invalidationEpoch) != epoch)
        {
            return loaded;
        }

        try
        {
            await StoreSharedAsync(category, redisKey, loaded, ttl).ConfigureAwait(false);
            StoreLocal(category, key, loaded, ttl, epoch);
        }
        catch (RedisException exception)
        {
            LogRedisUnavailable(_logger, exception, category);
        }

        return loaded;
    }

    public async Task SetAsync<T>(string category, string key, T value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        where T : class
    {
        ReferenceCacheOptions.ValidateCategory(category);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var ttl = ReferenceCacheOptions.Resolve(timeToLive, _options);
        cancellationToken.ThrowIfCancellationRequested();

        await EnsureSubscribedAsync().ConfigureAwait(false);
        await StoreSharedAsync(category, _keys.Reference(category, key), value, ttl).ConfigureAwait(false);

        // Published after the L2 write, so an instance that reloads on the message reads the new value.
        await PublishAsync(new InvalidationMessage(category, key)).ConfigureAwait(false);
        StoreLocal(category, key, value, ttl, Interlocked.Read(ref _invalidationEpoch));
    }

    public async Task InvalidateAsync(string category, string key, CancellationToken cancellationToken = default)
    {
        ReferenceCacheOptions.ValidateCategory(category);
        ArgumentException.ThrowIfNullOrEmpty(key);
        cancellationToken.ThrowIfCancellationRequested();

        DropLocal(new InvalidationMessage(category, key));
        var redisKey = _keys.Reference(category, key);
        await Database.ScriptEvaluateAsync(InvalidateKeyScript, [redisKey, _keys.ReferenceCategory(category)]).ConfigureAwait(false);
        await PublishAsync(new InvalidationMessage(category, key)).ConfigureAwait(false);
    }

    public async Task InvalidateCategoryAsync(string category, CancellationToken cancellationToken = default)
    {
        ReferenceCacheOptions.ValidateCategory(category);
        cancellationToken.ThrowIfCancellationRequested();

        DropLocal(new InvalidationMessage(category, null));
        await Database.ScriptEvaluateAsync(InvalidateCategoryScript, [_keys.ReferenceCategory(category)]).ConfigureAwait(false);
        await PublishAsync(new InvalidationMessage(category, null)).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _redis.ConnectionRestored -= OnConnectionRestored;
        if (_subscription is { IsCompletedSuccessfully: true })
        {
            // Fire-and-forget: the handler is removed client-side at once, the server round trip is not needed to stop.
            _redis.GetSubscriber().Unsubscribe(_channel, OnMessage, CommandFlags.FireAndForget);
        }

        _local.Dispose();
        _metrics.Dispose();
    }

    private Task EnsureSubscribedAsync()
    {
        var current = Volatile.Read(ref _subscription);
        if (current is { IsCompletedSuccessfully: true })
        {
            return current;
        }

        lock (_subscriptionGate)
        {
            if (_subscription is null || _subscription.IsFaulted || _subscription.IsCanceled)
            {
                _subscription = _redis.GetSubscriber().SubscribeAsync(_channel, OnMessage);
            }

            return _subscription;
        }
    }

    private async Task StoreSharedAsync<T>(string category, RedisKey redisKey, T value, TimeSpan ttl)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(value, Json);
        await Database.ScriptEvaluateAsync(
            StoreScript,
            [redisKey, _keys.ReferenceCategory(category)],
            [payload, Math.Max(1L, (long)Math.Ceiling(ttl.TotalMilliseconds))]).ConfigureAwait(false);
    }

    private Task PublishAsync(InvalidationMessage message) =>
        _redis.GetSubscriber().PublishAsync(_channel, JsonSerializer.SerializeToUtf8Bytes(message, Json));

    private void StoreLocal(string category, string key, object value, TimeSpan ttl, long epochBeforeRead)
    {
        var categoryToken = _categoryTokens.GetOrAdd(category, _ => new CancellationTokenSource()).Token;
        using (var entry = _local.CreateEntry((category, key)))
        {
            entry.Value = value;
            entry.AbsoluteExpirationRelativeToNow = ttl;
            entry.ExpirationTokens.Add(new CancellationChangeToken(categoryToken));
        }

        // Checked after the insert: an invalidation that ran between the read and the insert bumped the epoch,
        // and then this entry must go. Checking before would leave a window where it stays.
        if (Interlocked.Read(ref _invalidationEpoch) != epochBeforeRead)
        {
            _local.Remove((category, key));
        }
    }

    private void OnMessage(RedisChannel channel, RedisValue message)
    {
        try
        {
            if (JsonSerializer.Deserialize<InvalidationMessage>((byte[])message!, Json) is { Category.Length: > 0 } invalidation)
            {
                DropLocal(invalidation);
            }
        }
        catch (JsonException exception)
        {
            LogMalformedInvalidation(_logger, exception);
        }
    }

    private void DropLocal(InvalidationMessage invalidation)
    {
        Interlocked.Increment(ref _invalidationEpoch);
        if (invalidation.Key is { } key)
        {
            _local.Remove((invalidation.Category, key));
        }
        else if (_categoryTokens.TryRemove(invalidation.Category, out var tokens))
        {
            tokens.Cancel();
        }

        _metrics.Invalidated(invalidation.Category, invalidation.Key is null ? "category" : "key");
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType == ConnectionType.Subscription)
        {
            Interlocked.Increment(ref _invalidationEpoch);
            _local.Clear();
        }
    }

    private T? Deserialize<T>(byte[] payload, string redisKey)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(payload, Json);
        }
        catch (JsonException exception)
        {
            // An older deployment may have cached another shape under this key: treat it as a miss and overwrite it.
            LogUnreadableEntry(_logger, exception, redisKey, typeof(T).Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable for reference category {Category}; loading from the source without caching")]
    private static partial void LogRedisUnavailable(ILogger logger, Exception exception, string category);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring a malformed reference-cache invalidation message")]
    private static partial void LogMalformedInvalidation(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cached reference entry {RedisKey} cannot be read as {Type}; reloading it")]
    private static partial void LogUnreadableEntry(ILogger logger, Exception exception, string redisKey, string type);

    private sealed record InvalidationMessage(string Category, string? Key);
}
