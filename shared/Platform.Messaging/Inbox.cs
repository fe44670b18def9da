using Microsoft.Extensions.Options;
using Platform.State;

namespace Platform.Messaging;

/// <summary>Ids of events a consumer group has already applied, so a redelivered event has its effect once.</summary>
public interface IInbox
{
    Task<bool> HasProcessedAsync(string consumerGroup, string eventId, CancellationToken cancellationToken = default);

    /// <summary>Records the event as processed; false when it already was.</summary>
    Task<bool> MarkProcessedAsync(string consumerGroup, string eventId, CancellationToken cancellationToken = default);

    void AddTo(StateTransaction transaction, string consumerGroup, string eventId);
}

public sealed class InboxOptions
{
    /// <summary>How long a processed id is remembered: longer than any redelivery or replay window.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}

public sealed class StateInbox(IStateStore store, IOptions<InboxOptions> options) : IInbox
{
    private static readonly byte[] Marker = [1];

    public static string KeyFor(string consumerGroup, string eventId) => $"inbox:{consumerGroup}:{eventId}";

    public async Task<bool> HasProcessedAsync(string consumerGroup, string eventId, CancellationToken cancellationToken = default) =>
        await store.GetAsync(KeyFor(consumerGroup, eventId), cancellationToken) is not null;

    public async Task<bool> MarkProcessedAsync(string consumerGroup, string eventId, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.SetAsync(KeyFor(consumerGroup, eventId), Marker, StateCondition.MustNotExist, options.Value.Retention, cancellationToken);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }

    // MustNotExist makes two racing deliveries of one event conflict: only one effect can commit.
    public void AddTo(StateTransaction transaction, string consumerGroup, string eventId) =>
        transaction.Set(KeyFor(consumerGroup, eventId), Marker, StateCondition.MustNotExist, options.Value.Retention);
}
