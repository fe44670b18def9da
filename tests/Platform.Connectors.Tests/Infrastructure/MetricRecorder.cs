using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Platform.Connectors.Tests.Infrastructure;

// Listens only to the meters created by one service provider's IMeterFactory, so tests running in
// parallel never see each other's measurements.
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement> _measurements = new();

    public MetricRecorder(IMeterFactory scope, string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<int>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement> Get(string instrument)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Where(m => m.Instrument == instrument).ToList();
    }

    public IReadOnlyList<Instrument> Instruments { get; private set; } = [];

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var tagMap = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            tagMap[tag.Key] = tag.Value?.ToString();
        }

        lock (_measurements)
        {
            if (!Instruments.Contains(instrument))
            {
                Instruments = [.. Instruments, instrument];
            }
        }

        _measurements.Enqueue(new RecordedMeasurement(instrument.Name, value, tagMap));
    }

    public void Dispose() => _listener.Dispose();
}

internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags)
{
    public string? Tag(string key) => Tags.GetValueOrDefault(key);

    // "system=erp operation=x status_code=503" with keys sorted: easy to compare whole tag sets.
    public string TagSet => string.Join(' ', Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
}
