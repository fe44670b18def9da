using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Platform.State;

/// <summary>One invalidation: a single key, or a whole category when <see cref="Key"/> is null.</summary>
public sealed record ReferenceCacheInvalidation(string Category, string? Key);

/// <summary>
/// Carries invalidations between <see cref="InMemoryReferenceCache"/> instances in one process, the way Redis
/// pub/sub carries them between pods. The local host hands one bus to every service it runs.
/// </summary>
public sealed class InMemoryReferenceCacheBus
{
    private readonly Lock _gate = new();
    private Action<ReferenceCacheInvalidation>[] _handlers = [];

    public IDisposable Subscribe(Action<ReferenceCacheInvalidation> onInvalidation)
    {
        ArgumentNullException.ThrowIfNull(onInvalidation);
        lock (_gate)
        {
            _handlers = [.. _handlers, onInvalidation];
        }

        return new Subscription(this, onInvalidation);
    }

    /// <summary>Delivers synchronously to every subscriber, so a publisher returns only after all copies are gone.</summary>
    public void Publish(ReferenceCacheInvalidation invalidation)
    {
        ArgumentNullException.ThrowIfNull(invalidation);
        foreach (var handler in Volatile.Read(ref _handlers))
        {
            handler(invalidation);
        }
    }

    private void Unsubscribe(Action<ReferenceCacheInvalidation> handler)
    {
        lock (_gate)
        {
            _handlers = _handlers.Where(existing => existing != handler).ToArray();
        }
    }

    private sealed class Subscription(InMemoryReferenceCacheBus bus, Action<ReferenceCacheInvalidation> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                bus.Unsubscribe(handler);
            }
        }
    }
}

/// <summary>
/// Cache-aside in process memory with TTL; invalidations travel over an <see cref="InMemoryReferenceCacheBus"/>.
/// Values are held by reference: cache immutable objects (records), never ones a caller mutates.
/// </summary>
public sealed class InMemoryReferenceCache : IReferenceCache, IDisposable
{
    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Category, string Key), CachedValue> _entries = [];
    private readonly InMemoryReferenceCacheBus _bus;
    private readonly IDisposable _subscription;
    private readonly TimeProvider _time;
    private readonly ReferenceCacheOptions _options;
    private readonly ReferenceCacheMetrics _metrics;

    private DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    // Bumped by every invalidation; a load that overlapped one may have read the old value, so it is not cached.
    private long _invalidationEpoch;

    public InMemoryReferenceCache(
        InMemoryReferenceCacheBus bus,
        IOptions<ReferenceCacheOptions>? options = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
    {
        _bus = bus ?? throw new ArgumentNullException(nameof(bus));
        _options = options?.Value ?? new ReferenceCacheOptions();
        _time = timeProvider ?? TimeProvider.System;
        _metrics = new ReferenceCacheMetrics(meterFactory, "in-memory");
        _subscription = _bus.Subscribe(DropLocal);
    }

    public async Task<T?> GetOrLoadAsync<T>(string category, string key, Func<CancellationToken, Task<T?>> loader, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        where T : class
    {
        ReferenceCacheOptions.ValidateCategory(category);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(loader);
        var ttl = ReferenceCacheOptions.Resolve(timeToLive, _options);

        long epoch;
        lock (_gate)
        {
            if (_entries.TryGetValue((category, key), out var cached) && cached.ExpiresAt > _time.GetUtcNow() && cached.Value is T hit)
            {
                _metrics.Lookup(category, ReferenceCacheMetrics.HitLocal);
                return hit;
            }

            epoch = _invalidationEpoch;
        }

        _metrics.Lookup(category, ReferenceCacheMetrics.Miss);
        var started = Stopwatch.GetTimestamp();
        var loaded = await loader(cancellationToken).ConfigureAwait(false);
        _metrics.Loaded(category, Stopwatch.GetElapsedTime(started));
        if (loaded is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (epoch == _invalidationEpoch)
            {
                Store(category, key, loaded, ttl);
            }
        }

        return loaded;
    }

    public Task SetAsync<T>(string category, string key, T value, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
        where T : class
    {
        ReferenceCacheOptions.ValidateCategory(category);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        var ttl = ReferenceCacheOptions.Resolve(timeToLive, _options);

        // Other instances still hold the previous value: they drop it and load the new one on next use.
        _bus.Publish(new ReferenceCacheInvalidation(category, key));
        lock (_gate)
        {
            Store(category, key, value, ttl);
        }

        return Task.CompletedTask;
    }

    public Task InvalidateAsync(string category, string key, CancellationToken cancellationToken = default)
    {
        ReferenceCacheOptions.ValidateCategory(category);
        ArgumentException.ThrowIfNullOrEmpty(key);
        _bus.Publish(new ReferenceCacheInvalidation(category, key));
        return Task.CompletedTask;
    }

    public Task InvalidateCategoryAsync(string category, CancellationToken cancellationToken = default)
    {
        ReferenceCacheOptions.ValidateCategory(category);
        _bus.Publish(new ReferenceCacheInvalidation(category, null));
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _metrics.Dispose();
    }

    private void DropLocal(ReferenceCacheInvalidation invalidation)
    {
        lock (_gate)
        {
            _invalidationEpoch++;
            if (invalidation.Key is { } key)
            {
                _entries.Remove((invalidation.Category, key));
            }
            else
            {
                foreach (var entry in _entries.Keys.Where(entry => entry.Category == invalidation.Category).ToArray())
                {
                    _entries.Remove(entry);
                }
            }
        }

        _metrics.Invalidated(invalidation.Category, invalidation.Key is null ? "category" : "key");
    }

    private void Store(string category, string key, object value, TimeSpan ttl)
    {
        var now = _time.GetUtcNow();
        _entries[(category, key)] = new CachedValue(value, now + ttl);

        // Entries nobody asks for again would otherwise stay after they expire.
        if (now >= _nextPrune)
        {
            foreach (var expired in _entries.Where(entry => entry.Value.ExpiresAt <= now).Select(entry => entry.Key).ToArray())
            {
                _entries.Remove(expired);
            }

            _nextPrune = now + PruneInterval;
        }
    }

    private sealed record CachedValue(object Value, DateTimeOffset ExpiresAt);
}
