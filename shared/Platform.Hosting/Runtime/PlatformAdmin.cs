using System.Globalization;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.Contracts.Common.V1;
using Platform.Messaging;
using Platform.Ownership;
using Platform.State;
using Common = Platform.Contracts.Common.V1;

namespace Platform.Hosting.Runtime;

/// <summary>
/// The admin operations every service serves over its own gRPC API (status, dead letters, ownership policy),
/// written once so each domain's service class only forwards to it.
/// </summary>
public sealed class PlatformAdmin(
    IOptions<PlatformRuntimeOptions> runtime,
    IMessageTransport transport,
    IStateStore store,
    IDeadLetterStore deadLetters,
    DeadLetterReplayer replayer,
    OwnershipGuard ownership,
    SyncFreshness freshness,
    IServiceProvider services,
    TimeProvider timeProvider)
{
    private const int MaxPageSize = 1000;
    private static readonly string Version = typeof(PlatformAdmin).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
    private readonly DateTimeOffset _startedAt = timeProvider.GetUtcNow();

    public async Task<ServiceStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var status = new ServiceStatus
        {
            Service = runtime.Value.ServiceName,
            Version = Version,
            StartedAt = Timestamp.FromDateTimeOffset(_startedAt),
            BusProvider = transport.Name,
            StateProvider = runtime.Value.StateProvider.ToString().ToLowerInvariant(),
            OutboxPending = await store.CountOutboxAsync(cancellationToken),
            DeadLettersPending = await deadLetters.CountAsync(cancellationToken),
        };

        foreach (var consumer in services.GetServices<EventConsumerService>())
        {
            var consumerStatus = new ConsumerStatus
            {
                Group = consumer.Definition.ConsumerGroup,
                State = consumer.IsRunning ? ConsumerState.Running : ConsumerState.Stopped,
            };
            consumerStatus.Topics.AddRange(consumer.Definition.SubscribedTopics);
            status.Consumers.Add(consumerStatus);
        }

        foreach (var (flow, record) in freshness.Flows.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var flowStatus = new FlowStatus { Flow = flow, LastError = record.LastError ?? string.Empty };
            if (record.LastSuccess is { } success)
            {
                flowStatus.LastSuccessTime = Timestamp.FromDateTimeOffset(success);
            }

            if (record.LastFailure is { } failure)
            {
                flowStatus.LastFailureTime = Timestamp.FromDateTimeOffset(failure);
            }

            status.Flows.Add(flowStatus);
        }

        return status;
    }

    public async Task<(IReadOnlyList<Common.DeadLetter> Letters, string NextPageToken)> ListDeadLettersAsync(
        int pageSize, string pageToken, Common.DeadLetterFilter? filter, CancellationToken cancellationToken)
    {
        var take = pageSize <= 0 ? 100 : Math.Min(pageSize, MaxPageSize);
        var skip = 0;
        if (!string.IsNullOrEmpty(pageToken) && !int.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out skip))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"page_token '{pageToken}' was not returned by this service"));
        }

        var letters = await deadLetters.ListAsync(ToFilter(filter), skip, take + 1, cancellationToken);
        var page = letters.Take(take).Select(ToContract).ToList();
        var next = letters.Count > take ? (skip + take).ToString(CultureInfo.InvariantCulture) : string.Empty;
        return (page, next);
    }

    public async Task<Common.DeadLetter> GetDeadLetterAsync(string id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "id is required"));
        }

        var record = await deadLetters.GetAsync(id, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"no dead letter with id '{id}'"));
        return ToContract(record);
    }

    public async Task<long> ReplayDeadLettersAsync(Common.DeadLetterFilter? filter, CancellationToken cancellationToken) =>
        await replayer.ReplayAsync(ToFilter(filter), null, cancellationToken);

    public Common.OwnershipPolicy GetOwnershipPolicy()
    {
        var view = ownership.Policy.View;
        var policy = new Common.OwnershipPolicy
        {
            Service = runtime.Value.ServiceName,
            Version = view.Fingerprint,
        };
        policy.Systems.AddRange(view.Systems);
        foreach (var objectView in view.Objects)
        {
            policy.Fields.AddRange(objectView.Fields.Select(f => new FieldOwnership { Object = objectView.Name, Field = f.Name, Owner = f.Owner }));
        }

        return policy;
    }

    private Messaging.DeadLetterFilter ToFilter(Common.DeadLetterFilter? filter)
    {
        if (filter is null)
        {
            return new Messaging.DeadLetterFilter();
        }

        return new Messaging.DeadLetterFilter
        {
            Ids = filter.Ids.ToList(),
            ConsumerGroup = NullIfEmpty(filter.ConsumerGroup),
            EventType = NullIfEmpty(filter.EventType),
            OriginalTopic = NullIfEmpty(filter.OriginalTopic),
            FailureKind = filter.FailureKind switch
            {
                FailureKind.Malformed => FailureKinds.Malformed,
                FailureKind.Invalid => FailureKinds.Invalid,
                FailureKind.Exhausted => FailureKinds.Exhausted,
                _ => null,
            },
            DeadLetteredSince = filter.MaxAge is { } maxAge ? timeProvider.GetUtcNow() - maxAge.ToTimeSpan() : null,
        };
    }

    private static Common.DeadLetter ToContract(DeadLetterRecord record)
    {
        var letter = new Common.DeadLetter
        {
            Id = record.Id,
            EventId = record.EventId ?? string.Empty,
            EventType = record.EventType ?? string.Empty,
            ConsumerGroup = record.ConsumerGroup,
            OriginalTopic = record.OriginalTopic,
            Key = record.Key ?? string.Empty,
            Reason = record.Reason,
            FailureKind = record.FailureKind switch
            {
                FailureKinds.Malformed => FailureKind.Malformed,
                FailureKinds.Invalid => FailureKind.Invalid,
                FailureKinds.Exhausted => FailureKind.Exhausted,
                _ => FailureKind.Unspecified,
            },
            Attempts = record.Attempts,
            FirstFailureTime = Timestamp.FromDateTimeOffset(record.FirstFailureTime),
            DeadLetteredAt = Timestamp.FromDateTimeOffset(record.DeadLetteredAt),
            Payload = ByteString.CopyFrom(record.Payload),
        };
        letter.Headers.Add(record.Headers);
        return letter;
    }

    private static string? NullIfEmpty(string value) => string.IsNullOrEmpty(value) ? null : value;
}
