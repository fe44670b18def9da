using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems.Magento;

/// <summary>Operation statuses of Magento's bulk API (<c>OperationInterface::STATUS_TYPE_*</c>).</summary>
public static class BulkOperationStatus
{
    public const int Complete = 1;
    public const int RetriablyFailed = 2;
    public const int NotRetriablyFailed = 3;
    public const int Open = 4;
    public const int Rejected = 5;
}

/// <summary>One accepted async bulk request: its operations, each a <c>sourceItems</c> save.</summary>
public sealed class MagentoBulk(string uuid, DateTime startTime, IReadOnlyList<IReadOnlyList<SourceItemInput>> operations)
{
    public const string Topic = "async.magento.inventoryapi.api.sourceitemssaveinterface.execute.post";
    public const string SuccessMessage = "Service execution success Magento\\Inventory\\Model\\SourceItem\\Command\\SourceItemsSave\\Interceptor::execute";

    private readonly Lock _gate = new();
    private readonly (int Status, string? Message, int? ErrorCode)[] _results =
        [.. operations.Select(_ => (BulkOperationStatus.Open, (string?)null, (int?)null))];

    public string Uuid { get; } = uuid;

    public DateTime StartTime { get; } = startTime;

    public IReadOnlyList<IReadOnlyList<SourceItemInput>> Operations { get; } = operations;

    /// <summary>Whether every operation has left status 4 (open).</summary>
    public bool Finished
    {
        get
        {
            lock (_gate)
            {
                return Array.TrueForAll(_results, result => result.Status != BulkOperationStatus.Open);
            }
        }
    }

    public IReadOnlyList<(int Status, string? Message, int? ErrorCode)> Results()
    {
        lock (_gate)
        {
            return [.. _results];
        }
    }

    internal void Complete(int operation, int status, string? message, int? errorCode)
    {
        lock (_gate)
        {
            _results[operation] = (status, message, errorCode);
        }
    }
}

/// <summary>
/// The simulated store's bulk queue and its consumer: accepted bulk requests wait <see cref="MagentoOptions.BulkDelayMs"/>,
/// then one consumer applies their operations in the order they were accepted, as Magento's single
/// <c>async.operations.all</c> consumer does. An operation Magento's validation refuses ends in status 3 (not retriably
/// failed) with Magento's message; the others of the same bulk are applied all the same. Bulks are kept for the life of the
/// process.
/// </summary>
public sealed class MagentoBulks(IOptions<MagentoOptions> options, MagentoSourceItems sourceItems, TimeProvider time) : BackgroundService
{
    private readonly Channel<(MagentoBulk Bulk, long DueTicks)> _queue = Channel.CreateUnbounded<(MagentoBulk, long)>();
    private readonly ConcurrentDictionary<string, MagentoBulk> _bulks = new(StringComparer.OrdinalIgnoreCase);

    public MagentoBulk Schedule(IReadOnlyList<IReadOnlyList<SourceItemInput>> operations)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var bulk = new MagentoBulk(Guid.NewGuid().ToString(), new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc), operations);
        _bulks[bulk.Uuid] = bulk;
        _queue.Writer.TryWrite((bulk, Environment.TickCount64 + options.Value.BulkDelayMs));
        return bulk;
    }

    public MagentoBulk? Find(string uuid) => _bulks.GetValueOrDefault(uuid);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (bulk, due) in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), stoppingToken);
                }

                for (var i = 0; i < bulk.Operations.Count; i++)
                {
                    var outcome = sourceItems.Save(bulk.Operations[i]);
                    // Magento's OperationProcessor records a LocalizedException as not retriably failed, with its message
                    // and its code (0 for these).
                    bulk.Complete(i, outcome.Saved ? BulkOperationStatus.Complete : BulkOperationStatus.NotRetriablyFailed,
                        outcome.Saved ? MagentoBulk.SuccessMessage : outcome.Message, outcome.Saved ? null : 0);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: bulks still queued stay open, as with a stopped consumer.
        }
    }
}
