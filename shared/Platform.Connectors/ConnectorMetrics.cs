using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Polly.CircuitBreaker;

namespace Platform.Connectors;

// Three views of the same traffic, so a dashboard never has to guess which one it is looking at:
//   platform.connector.requests          one per call made by a typed client: its FINAL outcome, after
//                                        retries, as the caller saw it.
//   platform.connector.request.attempts  one per attempt that actually went out on the wire: the status
//                                        of THAT attempt. Calls stopped by an open circuit or a full
//                                        rate-limiter queue never appear here.
//   platform.connector.retries           one per retry, tagged with the result of the attempt that
//                                        caused it.
// Each carries {system, operation} plus exactly one of status_code ("503") when the remote answered, or
// outcome (timeout, circuit_open, rate_limited, transport_error, cancelled, error) when it did not.
internal sealed class ConnectorMetrics
{
    public const string MeterName = "Platform.Connectors";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _retries;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new();

    public ConnectorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>(
            "platform.connector.requests", "{request}", "Calls to external systems by final outcome, after retries.");
        _attempts = meter.CreateCounter<long>(
            "platform.connector.request.attempts", "{attempt}", "Attempts sent to external systems, by the status of each attempt.");
        _retries = meter.CreateCounter<long>(
            "platform.connector.retries", "{retry}", "Retries of calls to external systems, by the result that caused them.");
        _duration = meter.CreateHistogram(
            "platform.connector.request.duration", "s", "Duration of calls to external systems, including queueing and retries.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        meter.CreateObservableGauge(
            "platform.connector.circuit.state", ObserveCircuits, "{state}", "Circuit breaker state per system: 0 closed, 1 half-open, 2 open.");
    }

    public void TrackCircuit(string system, CircuitBreakerStateProvider stateProvider) => _circuits[system] = stateProvider;

    public void RecordRequest(string system, string operation, AttemptResult result, TimeSpan elapsed)
    {
        var tags = Tags(system, operation, result);
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, new TagList { { "system", system }, { "operation", operation } });
    }

    public void RecordAttempt(string system, string operation, AttemptResult result) =>
        _attempts.Add(1, Tags(system, operation, result));

    public void RecordRetry(string system, string operation, AttemptResult cause) =>
        _retries.Add(1, Tags(system, operation, cause));

    private static TagList Tags(string system, string operation, AttemptResult result)
    {
        var tags = new TagList { { "system", system }, { "operation", operation } };
        if (result.StatusCode is { } status)
        {
            tags.Add("status_code", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            tags.Add("outcome", result.OutcomeTag);
        }

        return tags;
    }

    private List<Measurement<int>> ObserveCircuits()
    {
        var measurements = new List<Measurement<int>>(_circuits.Count);
        foreach (var (system, provider) in _circuits)
        {
            CircuitState state;
            try
            {
                state = provider.CircuitState;
            }
            catch (InvalidOperationException)
            {
                // The pipeline that owns this breaker has not been built yet: no state to report.
                continue;
            }

            var value = state switch
            {
                CircuitState.Closed => 0,
                CircuitState.HalfOpen => 1,
                _ => 2, // Open and Isolated both block every call
            };
            measurements.Add(new Measurement<int>(value, new KeyValuePair<string, object?>("system", system)));
        }

        return measurements;
    }
}

// Either a status code from the remote or the reason there was none.
internal readonly record struct AttemptResult(int? StatusCode, ConnectorFailure? Failure)
{
    public static AttemptResult FromStatus(int statusCode) => new(statusCode, null);

    public static AttemptResult FromFailure(ConnectorFailure failure) => new(null, failure);

    public string OutcomeTag => Failure switch
    {
        ConnectorFailure.Timeout => "timeout",
        ConnectorFailure.CircuitOpen => "circuit_open",
        ConnectorFailure.RateLimited => "rate_limited",
        ConnectorFailure.TransportError => "transport_error",
        ConnectorFailure.Cancelled => "cancelled",
        _ => "error",
    };
}
