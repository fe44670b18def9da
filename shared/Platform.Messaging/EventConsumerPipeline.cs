using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Platform.Messaging;

/// <summary>
/// The failure path of the bus, written once for every service: decode, dedupe through the inbox, dispatch to the
/// typed handler, retry in place, then through the group's delayed retry topic, then dead-letter with the reason.
/// It never throws for a bad event, so one poisoned record cannot stop a partition; it throws only when it cannot
/// park the record anywhere (the broker is down), and then the transport delivers the record again.
/// </summary>
public sealed class EventConsumerPipeline
{
    private readonly string _group;
    private readonly string _retryTopic;
    private readonly string _deadLetterTopic;
    private readonly IReadOnlyDictionary<string, HandlerRegistration> _handlers;
    private readonly ConsumerFailurePolicy _policy;
    private readonly IMessageTransport _transport;
    private readonly IInbox _inbox;
    private readonly IDeadLetterStore? _deadLetters;
    private readonly IServiceScopeFactory _scopes;
    private readonly MessagingMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _inPlaceRetry;

    public EventConsumerPipeline(
        string consumerGroup,
        IReadOnlyDictionary<string, HandlerRegistration> handlers,
        ConsumerFailurePolicy policy,
        IMessageTransport transport,
        IInbox inbox,
        IDeadLetterStore? deadLetters,
        IServiceScopeFactory scopes,
        MessagingMetrics metrics,
        ILogger logger,
        TimeProvider? timeProvider = null)
    {
        _group = consumerGroup;
        _retryTopic = ConsumerTopics.RetryTopic(consumerGroup);
        _deadLetterTopic = ConsumerTopics.DeadLetterTopic(consumerGroup);
        _handlers = handlers;
        _policy = policy;
        _transport = transport;
        _inbox = inbox;
        _deadLetters = deadLetters;
        _scopes = scopes;
        _metrics = metrics;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;

        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (policy.InPlaceRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = policy.InPlaceRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = policy.InPlaceInitialDelay,
                MaxDelay = policy.InPlaceMaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not InvalidEventException and not OperationCanceledException),
                OnRetry = args =>
                {
                    _metrics.Retried(_group, "in_place");
                    return ValueTask.CompletedTask;
                },
            });
        }

        _inPlaceRetry = builder.Build();
    }

    public string ConsumerGroup => _group;

    public async Task HandleAsync(ReceivedMessage record, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await ProcessAsync(record, cancellationToken);
        _metrics.Consumed(record.Topic, _group, outcome, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private async Task<string> ProcessAsync(ReceivedMessage record, CancellationToken cancellationToken)
    {
        EventEnvelope envelope;
        try
        {
            envelope = EventCodec.FromTransport(record);
        }
        catch (MalformedEventException ex)
        {
            await DeadLetterAsync(record, null, ex.Reason, FailureKinds.Malformed, 0, null, cancellationToken);
            return ConsumeOutcomes.DeadLettered;
        }

        var fromRetryTopic = record.Topic == _retryTopic;
        var originalTopic = fromRetryTopic && envelope.Extensions.TryGetValue(EventHeaders.OriginalTopic, out var original) ? original : record.Topic;
        if (fromRetryTopic)
        {
            await WaitUntilDueAsync(envelope, cancellationToken);
        }

        if (!_handlers.TryGetValue(envelope.Type, out var registration))
        {
            return ConsumeOutcomes.Ignored;
        }

        if (await _inbox.HasProcessedAsync(_group, envelope.Id, cancellationToken))
        {
            return ConsumeOutcomes.Duplicate;
        }

        IMessage message;
        try
        {
            message = registration.Parse(envelope.Data);
        }
        catch (InvalidProtocolBufferException ex)
        {
            await DeadLetterAsync(record, envelope, $"payload is not a valid {envelope.Type}: {ex.Message}", FailureKinds.Malformed, 0, ex, cancellationToken);
            return ConsumeOutcomes.DeadLettered;
        }

        var earlierAttempts = IntHeader(envelope, EventHeaders.Attempts);
        var attemptsHere = 0;
        try
        {
            await _inPlaceRetry.ExecuteAsync(async token =>
            {
                attemptsHere++;
                // An earlier attempt may have committed its effect and then failed before returning.
                if (attemptsHere > 1 && await _inbox.HasProcessedAsync(_group, envelope.Id, token))
                {
                    return;
                }

                var context = new EventContext(envelope, originalTopic, _group, record, earlierAttempts + attemptsHere, _inbox);
                await using var scope = _scopes.CreateAsyncScope();
                await registration.Invoke(scope.ServiceProvider, message, context, token);
                if (!context.InboxRecorded)
                {
                    await _inbox.MarkProcessedAsync(_group, envelope.Id, token);
                }
            }, cancellationToken);
            return ConsumeOutcomes.Handled;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidEventException ex)
        {
            await DeadLetterAsync(record, envelope, ex.Message, FailureKinds.Invalid, earlierAttempts + attemptsHere, ex, cancellationToken);
            return ConsumeOutcomes.DeadLettered;
        }
        catch (Exception ex)
        {
            var attempts = earlierAttempts + attemptsHere;
            var round = IntHeader(envelope, PipelineHeaders.RetryRound) + 1;
            if (round > _policy.RetryTopicRounds)
            {
                await DeadLetterAsync(record, envelope, $"failed {attempts} time(s); last error: {ex.GetType().Name}: {ex.Message}", FailureKinds.Exhausted, attempts, ex, cancellationToken);
                return ConsumeOutcomes.DeadLettered;
            }

            await ScheduleRetryAsync(record, round, attempts, ex, cancellationToken);
            return ConsumeOutcomes.RetryScheduled;
        }
    }

    private async Task WaitUntilDueAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (!envelope.Extensions.TryGetValue(EventHeaders.NotBefore, out var raw)
            || !long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dueMs))
        {
            return;
        }

        var wait = DateTimeOffset.FromUnixTimeMilliseconds(dueMs) - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    private async Task ScheduleRetryAsync(ReceivedMessage record, int round, int attempts, Exception error, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var headers = FailureHeaders(record, error.Message, null, attempts, error, now);
        headers[PipelineHeaders.RetryRound] = round.ToString(CultureInfo.InvariantCulture);
        headers[EventHeaders.NotBefore] = (now + _policy.DelayForRound(round)).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await _transport.ProduceAsync(new TransportMessage(_retryTopic, record.Key ?? string.Empty, headers, record.Value), cancellationToken);
        _metrics.Retried(_group, "retry_topic");
        _metrics.Produced(_retryTopic, "ok");
        _logger.LogWarning("Event {EventId} on {Topic} failed {Attempts} time(s) in group {Group}; retry round {Round} scheduled: {Error}",
            Header(record, EventHeaders.Id), record.Topic, attempts, _group, round, error.Message);
    }

    private async Task DeadLetterAsync(ReceivedMessage record, EventEnvelope? envelope, string reason, string kind, int attempts, Exception? error, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var id = Guid.CreateVersion7().ToString("N");
        var headers = FailureHeaders(record, reason, kind, attempts, error, now);
        headers[PipelineHeaders.DeadLetterId] = id;
        await _transport.ProduceAsync(new TransportMessage(_deadLetterTopic, record.Key ?? string.Empty, headers, record.Value), cancellationToken);
        _metrics.Produced(_deadLetterTopic, "ok");

        var originalTopic = headers[EventHeaders.OriginalTopic];
        _metrics.DeadLettered(originalTopic, _group, kind);
        if (_deadLetters is not null)
        {
            await _deadLetters.RecordAsync(new DeadLetterRecord
            {
                Id = id,
                EventId = envelope?.Id,
                EventType = envelope?.Type,
                ConsumerGroup = _group,
                OriginalTopic = originalTopic,
                Key = record.Key,
                Reason = reason,
                FailureKind = kind,
                Attempts = attempts,
                FirstFailureTime = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(headers[EventHeaders.FirstFailureTime], CultureInfo.InvariantCulture)),
                DeadLetteredAt = now,
                Headers = headers,
                Payload = record.Value.ToArray(),
            }, cancellationToken);
        }

        _logger.LogError("Event {EventId} ({EventType}) on {Topic} dead-lettered by group {Group} as {Kind} after {Attempts} attempt(s): {Reason}",
            envelope?.Id ?? "(unreadable)", envelope?.Type ?? "(unknown)", originalTopic, _group, kind, attempts, reason);
    }

    private Dictionary<string, string> FailureHeaders(ReceivedMessage record, string reason, string? kind, int attempts, Exception? error, DateTimeOffset now)
    {
        var headers = new Dictionary<string, string>(record.Headers, StringComparer.Ordinal);
        // The first hop records where the event came from; retry hops keep those values.
        if (record.Topic != _retryTopic || !headers.ContainsKey(EventHeaders.OriginalTopic))
        {
            headers[EventHeaders.OriginalTopic] = record.Topic;
            headers[EventHeaders.OriginalPartition] = record.Partition.ToString(CultureInfo.InvariantCulture);
            headers[EventHeaders.OriginalOffset] = record.Offset.ToString(CultureInfo.InvariantCulture);
        }

        headers.TryAdd(EventHeaders.FirstFailureTime, now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        headers[EventHeaders.ConsumerGroup] = _group;
        headers[EventHeaders.Attempts] = attempts.ToString(CultureInfo.InvariantCulture);
        headers[EventHeaders.FailureReason] = EventCodec.Truncate(reason, 1000);
        headers.Remove(EventHeaders.NotBefore);
        if (kind is not null)
        {
            headers[EventHeaders.FailureKind] = kind;
        }

        if (error is not null)
        {
            headers[EventHeaders.ExceptionType] = error.GetType().FullName ?? error.GetType().Name;
        }

        return headers;
    }

    private static int IntHeader(EventEnvelope envelope, string name) =>
        envelope.Extensions.TryGetValue(name, out var raw) && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    private static string? Header(ReceivedMessage record, string name) => record.Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>How one event type is parsed and handed to its handler.</summary>
public sealed record HandlerRegistration(
    string EventType,
    Func<ReadOnlyMemory<byte>, IMessage> Parse,
    Func<IServiceProvider, IMessage, EventContext, CancellationToken, Task> Invoke)
{
    public static HandlerRegistration For<TEvent, THandler>()
        where TEvent : IMessage<TEvent>, new()
        where THandler : IEventHandler<TEvent>
    {
        var descriptor = new TEvent().Descriptor;
        return new HandlerRegistration(
            descriptor.FullName,
            data => descriptor.Parser.ParseFrom(data.Span),
            (services, message, context, token) => services.GetRequiredService<THandler>().HandleAsync((TEvent)message, context, token));
    }
}
