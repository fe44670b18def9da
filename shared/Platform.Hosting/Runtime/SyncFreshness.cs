using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Platform.Hosting.Runtime;

/// <summary>
/// When each flow of this service last succeeded (and last failed, and why). Exported as
/// <c>platform_sync_last_success_timestamp_seconds{flow}</c>, which is what "stock sync stale" alerts watch,
/// and served in the admin status.
/// </summary>
public sealed class SyncFreshness
{
    private readonly ConcurrentDictionary<string, FlowRecord> _flows = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public SyncFreshness(IMeterFactory meters, TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        var meter = meters.Create("Platform.Sync");
        meter.CreateObservableGauge("platform.sync.last_success.timestamp", ObserveLastSuccess, "s",
            "Unix time of the last successful run of each flow.");
    }

    public IReadOnlyDictionary<string, FlowRecord> Flows => _flows;

    public void RecordSuccess(string flow) =>
        _flows.AddOrUpdate(flow, _ => new FlowRecord(_time.GetUtcNow(), null, null), (_, r) => r with { LastSuccess = _time.GetUtcNow() });

    public void RecordFailure(string flow, string error) =>
        _flows.AddOrUpdate(flow, _ => new FlowRecord(null, _time.GetUtcNow(), error), (_, r) => r with { LastFailure = _time.GetUtcNow(), LastError = error });

    private IEnumerable<Measurement<double>> ObserveLastSuccess() =>
        _flows.Where(f => f.Value.LastSuccess is not null)
            .Select(f => new Measurement<double>(f.Value.LastSuccess!.Value.ToUnixTimeMilliseconds() / 1000.0, new KeyValuePair<string, object?>("flow", f.Key)));

    public sealed record FlowRecord(DateTimeOffset? LastSuccess, DateTimeOffset? LastFailure, string? LastError);
}
