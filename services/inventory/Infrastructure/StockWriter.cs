using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Platform.Inventory.Domain;
using Platform.Messaging;
using Platform.State;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// Commits changed stock aggregates: schedules their push, writes the read model, and publishes what changed on
/// <c>inventory.stock.v1</c> through the outbox, all in one transaction. Racing writers of one SKU (two orders for
/// the last units) conflict on the ETag; the loser re-reads and decides again, so neither can oversell.
/// </summary>
public sealed class StockWriter(
    StockStore store,
    IEventPublisher publisher,
    IStockThresholdPolicy policy,
    IOptionsMonitor<InventoryOptions> options,
    PushSignal signal,
    InventoryMetrics metrics,
    TimeProvider time)
{
    public const string StockTopic = "inventory.stock.v1";
    private const int Attempts = 10;

    private readonly ConditionalWeakTable<StateTransaction, List<SkuStock>> _recorded = new();
    private readonly ConditionalWeakTable<StateTransaction, List<IDisposable>> _locks = new();
    private readonly SkuLocks _skuLocks = new();

    public IStockThresholdPolicy Policy => policy;

    public StockStore Store => store;

    /// <summary>
    /// Runs <paramref name="decide"/> on freshly read state until its transaction commits without a conflict. The
    /// decision adds its own writes (e.g. the order record) and calls <see cref="Record"/> for each SKU it changed.
    /// </summary>
    public async Task<T> CommitAsync<T>(Func<StateTransaction, CancellationToken, Task<(T Result, bool Commit)>> decide, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var transaction = new StateTransaction();
            try
            {
                var (result, commit) = await decide(transaction, cancellationToken);
                if (!commit || transaction.IsEmpty)
                {
                    return result;
                }

                var etags = await store.State.CommitAsync(transaction, cancellationToken);
                if (_recorded.TryGetValue(transaction, out var written))
                {
                    store.RememberWritten(written, etags);
                }

                // Woken only now: a pusher woken before the commit would find nothing and sleep through the crossing.
                if (transaction.Operations.Any(o => o is StateOperation.IndexAdd { Index: StockStore.PushUrgentIndex }))
                {
                    signal.Wake();
                }

                return result;
            }
            catch (ConcurrencyConflictException) when (attempt < Attempts)
            {
                Release(transaction);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), time, cancellationToken);
            }
            finally
            {
                Release(transaction);
            }
        }
    }

    /// <summary>
    /// Reads SKUs a decision will change, after waiting for this replica's other writers of them; they wait in turn
    /// until this attempt has committed or given up. Call it once per decision.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, (SkuStock Stock, string? ETag)>> LoadForUpdateAsync(
        StateTransaction transaction, IReadOnlyCollection<string> skus, CancellationToken cancellationToken)
    {
        _locks.GetOrCreateValue(transaction).Add(await _skuLocks.AcquireAsync(skus, cancellationToken));
        return await store.LoadManyAsync(skus, cancellationToken, forUpdate: true);
    }

    private void Release(StateTransaction transaction)
    {
        if (_locks.TryGetValue(transaction, out var held))
        {
            foreach (var locks in held)
            {
                locks.Dispose();
            }

            held.Clear();
        }
    }

    /// <summary>Adds one changed SKU to the transaction, with the events describing the change.</summary>
    public void Record(StateTransaction transaction, SkuStock stock, string? etag, SkuStatus previousStatus, IEnumerable<string> changedLocations, IReadOnlyList<ReservationMove> moves)
    {
        var now = time.GetUtcNow();
        var settings = options.CurrentValue;
        var targets = settings.Targets.Where(t => t.Value.Enabled).Select(t => (t.Key, t.Value.Expects)).ToList();
        stock.MarkChanged(now, settings.Push.Window, targets, policy);

        StockStore.Save(transaction, stock, etag, policy);
        _recorded.GetOrCreateValue(transaction).Add(stock);
        var locations = new SortedSet<string>(changedLocations, StringComparer.Ordinal);
        foreach (var move in moves)
        {
            if (move.Location.Length > 0)
            {
                locations.Add(move.Location);
            }

            transaction.Publish(publisher, StockTopic, stock.Sku, StockContracts.ReservationChanged(stock, move, now));
        }

        foreach (var location in locations.Where(stock.Locations.ContainsKey))
        {
            transaction.Publish(publisher, StockTopic, stock.Sku, StockContracts.LevelChanged(stock, location, previousStatus, policy, now));
        }
    }

    public void CountMoves(IEnumerable<ReservationMove> moves)
    {
        foreach (var move in moves)
        {
            metrics.Reservation(move.Kind.ToString().ToLowerInvariant());
        }
    }
}

/// <summary>Wakes the pusher at once when a change crossed a threshold, instead of at its next poll.</summary>
public sealed class PushSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: one wake-up covers every change before the pusher reads the due SKUs.
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
