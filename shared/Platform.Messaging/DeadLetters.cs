using System.Globalization;
using System.Text.Json;
using Platform.State;

namespace Platform.Messaging;

/// <summary>A dead letter as operators see it: what failed, why, how often, and the original record to replay.</summary>
public sealed record DeadLetterRecord
{
    public required string Id { get; init; }
    public string? EventId { get; init; }
    public string? EventType { get; init; }
    public required string ConsumerGroup { get; init; }
    public required string OriginalTopic { get; init; }
    public string? Key { get; init; }
    public required string Reason { get; init; }
    public required string FailureKind { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset FirstFailureTime { get; init; }
    public DateTimeOffset DeadLetteredAt { get; init; }
    public Dictionary<string, string> Headers { get; init; } = [];
    public byte[] Payload { get; init; } = [];
}

public sealed record DeadLetterFilter
{
    public IReadOnlyCollection<string> Ids { get; init; } = [];
    public string? ConsumerGroup { get; init; }
    public string? EventType { get; init; }
    public string? OriginalTopic { get; init; }
    public string? FailureKind { get; init; }

    /// <summary>Only letters dead-lettered at or after this time (an operator's "max age").</summary>
    public DateTimeOffset? DeadLetteredSince { get; init; }

    public bool Matches(DeadLetterRecord record) =>
        (Ids.Count == 0 || Ids.Contains(record.Id, StringComparer.Ordinal))
        && (ConsumerGroup is null || ConsumerGroup == record.ConsumerGroup)
        && (EventType is null || EventType == record.EventType)
        && (OriginalTopic is null || OriginalTopic == record.OriginalTopic)
        && (FailureKind is null || FailureKind == record.FailureKind)
        && (DeadLetteredSince is null || record.DeadLetteredAt >= DeadLetteredSince);
}

/// <summary>
/// The dead letters of this service, kept beside its state so they can be listed, shown and replayed over gRPC
/// and from the command line (the dead-letter topic keeps the same records for stream tooling).
/// </summary>
public interface IDeadLetterStore
{
    Task RecordAsync(DeadLetterRecord record, CancellationToken cancellationToken = default);
    Task<DeadLetterRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Oldest first; <paramref name="skip"/> and <paramref name="take"/> page through the matches.</summary>
    Task<IReadOnlyList<DeadLetterRecord>> ListAsync(DeadLetterFilter filter, int skip = 0, int take = 100, CancellationToken cancellationToken = default);

    Task<long> CountAsync(CancellationToken cancellationToken = default);
    Task<bool> RemoveAsync(string id, CancellationToken cancellationToken = default);
}

public sealed class StateDeadLetterStore(IStateStore store) : IDeadLetterStore
{
    private const string Index = "deadletters";
    private const int ScanBatch = 500;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string KeyFor(string id) => "deadletter:" + id;

    public async Task RecordAsync(DeadLetterRecord record, CancellationToken cancellationToken = default)
    {
        var transaction = new StateTransaction()
            .Set(KeyFor(record.Id), JsonSerializer.SerializeToUtf8Bytes(record, Json))
            .AddToIndex(Index, record.Id, record.DeadLetteredAt.ToUnixTimeMilliseconds());
        await store.CommitAsync(transaction, cancellationToken);
    }

    public async Task<DeadLetterRecord?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var item = await store.GetAsync(KeyFor(id), cancellationToken);
        return item is null ? null : JsonSerializer.Deserialize<DeadLetterRecord>(item.Value.Span, Json);
    }

    public async Task<IReadOnlyList<DeadLetterRecord>> ListAsync(DeadLetterFilter filter, int skip = 0, int take = 100, CancellationToken cancellationToken = default)
    {
        var matches = new List<DeadLetterRecord>();
        var skipped = 0;
        for (long position = 0; matches.Count < take; position += ScanBatch)
        {
            var entries = await store.ReadIndexAsync(Index, position, ScanBatch, cancellationToken);
            if (entries.Count == 0)
            {
                break;
            }

            var items = await store.GetManyAsync(entries.Select(e => KeyFor(e.Member)).ToList(), cancellationToken);
            foreach (var entry in entries)
            {
                if (!items.TryGetValue(KeyFor(entry.Member), out var item))
                {
                    continue;
                }

                var record = JsonSerializer.Deserialize<DeadLetterRecord>(item.Value.Span, Json)!;
                if (!filter.Matches(record))
                {
                    continue;
                }

                if (skipped++ < skip)
                {
                    continue;
                }

                matches.Add(record);
                if (matches.Count == take)
                {
                    break;
                }
            }
        }

        return matches;
    }

    public Task<long> CountAsync(CancellationToken cancellationToken = default) => store.CountIndexAsync(Index, cancellationToken);

    public async Task<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.CommitAsync(new StateTransaction().Delete(KeyFor(id), StateCondition.Exists).RemoveFromIndex(Index, id), cancellationToken);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }
}

/// <summary>
/// Sends dead letters back through their group's retry topic, so only the group that failed sees them again
/// (other groups on the original topic already applied the event). The event id is kept: a group that did
/// apply it meanwhile skips it through its inbox.
/// </summary>
public sealed class DeadLetterReplayer(IDeadLetterStore deadLetters, IMessageTransport transport, TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<int> ReplayAsync(DeadLetterFilter filter, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var replayed = 0;
        while (true)
        {
            var batch = await deadLetters.ListAsync(filter, 0, 200, cancellationToken);
            if (batch.Count == 0)
            {
                return replayed;
            }

            foreach (var record in batch)
            {
                await transport.ProduceAsync(ToRetryRecord(record), cancellationToken);
                if (await deadLetters.RemoveAsync(record.Id, cancellationToken))
                {
                    replayed++;
                    progress?.Report(replayed);
                }
            }
        }
    }

    private TransportMessage ToRetryRecord(DeadLetterRecord record)
    {
        var headers = new Dictionary<string, string>(record.Headers, StringComparer.Ordinal);
        foreach (var failureHeader in new[] { EventHeaders.Attempts, EventHeaders.NotBefore, EventHeaders.FailureReason, EventHeaders.FailureKind, EventHeaders.ExceptionType, EventHeaders.FirstFailureTime, PipelineHeaders.RetryRound })
        {
            headers.Remove(failureHeader);
        }

        headers[EventHeaders.OriginalTopic] = record.OriginalTopic;
        headers[EventHeaders.ConsumerGroup] = record.ConsumerGroup;
        headers[EventHeaders.ReplayedAt] = _time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return new TransportMessage(ConsumerTopics.RetryTopic(record.ConsumerGroup), record.Key ?? record.Id, headers, record.Payload);
    }
}

internal static class PipelineHeaders
{
    public const string RetryRound = "platform-retry-round";
    public const string DeadLetterId = "platform-dead-letter-id";
}
