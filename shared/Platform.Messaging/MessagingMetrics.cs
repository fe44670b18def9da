using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Messaging;

/// <summary>
/// The bus's instruments. Exported for Prometheus as e.g. <c>platform_messaging_events_consumed_total</c>;
/// tags stay low-cardinality (topic, group, outcome), never event ids or keys.
/// </summary>
public sealed class MessagingMetrics : IDisposable
{
    public const string MeterName = "Platform.Messaging";

    private readonly Meter _meter;
    private readonly Counter<long> _consumed;
    private readonly Counter<long> _produced;
    private readonly Histogram<double> _handleDuration;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _outboxPublished;

    public MessagingMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _consumed = _meter.CreateCounter<long>("platform.messaging.events.consumed", "{event}", "Events taken from a topic by a consumer group, by outcome.");
        _produced = _meter.CreateCounter<long>("platform.messaging.events.produced", "{event}", "Events written to a topic, by outcome.");
        _handleDuration = _meter.CreateHistogram<double>("platform.messaging.handler.duration", "s", "Time from taking an event to its effect being durable.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _deadLetters = _meter.CreateCounter<long>("platform.messaging.dead_letters", "{event}", "Events moved to a dead-letter topic, by failure kind.");
        _retries = _meter.CreateCounter<long>("platform.messaging.retries", "{attempt}", "Handler retries, in place or through the delayed retry topic.");
        _outboxPublished = _meter.CreateCounter<long>("platform.outbox.published", "{event}", "Outbox entries published by the relay.");
    }

    public Meter Meter => _meter;

    public void Consumed(string topic, string group, string outcome, double seconds)
    {
        var tags = new TagList { { "topic", topic }, { "group", group }, { "outcome", outcome } };
        _consumed.Add(1, tags);
        _handleDuration.Record(seconds, tags);
    }

    public void Produced(string topic, string outcome, long count = 1) =>
        _produced.Add(count, new TagList { { "topic", topic }, { "outcome", outcome } });

    public void DeadLettered(string topic, string group, string kind) =>
        _deadLetters.Add(1, new TagList { { "topic", topic }, { "group", group }, { "kind", kind } });

    public void Retried(string group, string kind) =>
        _retries.Add(1, new TagList { { "group", group }, { "kind", kind } });

    public void OutboxPublished(string store, long count) =>
        _outboxPublished.Add(count, new TagList { { "store", store } });

    public void Dispose() => _meter.Dispose();
}

/// <summary>Values of the <c>outcome</c> tag on consumed events.</summary>
public static class ConsumeOutcomes
{
    public const string Handled = "handled";
    public const string Duplicate = "duplicate";
    public const string Ignored = "ignored";
    public const string RetryScheduled = "retry_scheduled";
    public const string DeadLettered = "dead_lettered";
}

/// <summary>Values of the <c>platform-failure-kind</c> header and the <c>kind</c> tag on dead letters.</summary>
public static class FailureKinds
{
    /// <summary>Not a readable event: missing CloudEvents headers, unparseable payload.</summary>
    public const string Malformed = "malformed";

    /// <summary>Readable but refused by the handler as never able to succeed (unknown SKU, not the owner...).</summary>
    public const string Invalid = "invalid";

    /// <summary>Failed on every attempt in place and through the retry topic.</summary>
    public const string Exhausted = "exhausted";
}
