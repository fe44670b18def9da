using System.Diagnostics.Metrics;

namespace Platform.State;

public static class StateTelemetry
{
    /// <summary>The meter every state and reference-cache adapter reports on; add it to the metrics pipeline.</summary>
    public const string MeterName = "Platform.State";
}

/// <summary>Instruments shared by every <see cref="IReferenceCache"/> adapter, so dashboards do not care which one runs.</summary>
internal sealed class ReferenceCacheMetrics : IDisposable
{
    public const string HitLocal = "hit_local";
    public const string HitRedis = "hit_redis";
    public const string Miss = "miss";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _lookups;
    private readonly Counter<long> _invalidations;
    private readonly Histogram<double> _loadDuration;

    public ReferenceCacheMetrics(IMeterFactory? meterFactory, string cache)
    {
        // A meter from the factory is disposed with the container; one made here is disposed with the cache.
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(StateTelemetry.MeterName) ?? new Meter(StateTelemetry.MeterName);
        Cache = cache;
        _lookups = _meter.CreateCounter<long>("platform.reference_cache.lookups", "{lookup}", "Reference-data lookups by where the value was found.");
        _invalidations = _meter.CreateCounter<long>("platform.reference_cache.invalidations", "{invalidation}", "Invalidations applied to the local copy, from this instance or another.");
        _loadDuration = _meter.CreateHistogram<double>("platform.reference_cache.load.duration", "s", "Time spent in the loader on a miss.");
    }

    public string Cache { get; }

    public void Lookup(string category, string result) =>
        _lookups.Add(1, new("cache", Cache), new("category", category), new("result", result));

    public void Invalidated(string category, string scope) =>
        _invalidations.Add(1, new("cache", Cache), new("category", category), new("scope", scope));

    public void Loaded(string category, TimeSpan elapsed) =>
        _loadDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("cache", Cache), new("category", category));

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
