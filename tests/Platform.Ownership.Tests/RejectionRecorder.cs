using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Platform.Ownership.Tests;

// Collects platform.ownership.rejections from the meters of one IMeterFactory only, so parallel
// tests never count each other's rejections.
internal sealed class RejectionRecorder : IDisposable
{
    private readonly MeterListener _listener = new();

    public RejectionRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OwnershipGuard.MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "platform.ownership.rejections")
            {
                var rendered = string.Join(' ', tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));
                for (var i = 0; i < value; i++)
                {
                    Rejections.Enqueue(rendered);
                }
            }
        });
        _listener.Start();
    }

    // One entry per counted rejection: "field=price object=product reason=not_owner system=magento".
    public ConcurrentQueue<string> Rejections { get; } = new();

    public void Dispose() => _listener.Dispose();
}
