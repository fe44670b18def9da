using Microsoft.Extensions.Options;
using Platform.Hosting.Runtime;
using Platform.Inventory.Domain;
using Platform.State;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// Pushes salable stock to each storefront target. Changes of a SKU are coalesced for <c>Push:Window</c> and go out together
/// with every other SKU due in the same round; a change that crossed a threshold (sold out, back in stock, low stock) is
/// due at once and wakes the pusher. Only items whose figure differs from what the target was last told are sent.
/// One replica pushes at a time (a lease), so two replicas never send one SKU twice.
/// </summary>
public sealed class StorefrontPusher(
    StockStore store,
    IEnumerable<IStockTarget> targets,
    IStockThresholdPolicy policy,
    IOptionsMonitor<InventoryOptions> options,
    PushSignal signal,
    InventoryMetrics metrics,
    SyncFreshness freshness,
    TimeProvider time,
    ILogger<StorefrontPusher> logger) : BackgroundService
{
    public const string LeaseName = "inventory-pusher";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(15);
    private readonly string _owner = $"{Environment.MachineName}:{Guid.NewGuid():N}";
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _urgentInFlight = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _ordinaryInFlight = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _preempted = new(StringComparer.Ordinal);
    private Task _ordinaryRound = Task.CompletedTask;
    private readonly SemaphoreSlim _urgentSlots = new(4, 4);
    private readonly List<Task> _urgentRounds = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue.Push;
            try
            {
                if (!await store.State.TryAcquireLeaseAsync(LeaseName, _owner, LeaseDuration, stoppingToken))
                {
                    // Only the lease holder's backlog means anything; a standby must not keep reporting an old figure.
                    metrics.PushBacklog(0);
                    await Task.Delay(LeaseDuration / 3, time, stoppingToken);
                    continue;
                }

                var pushed = await PushDueAsync(stoppingToken);
                metrics.PushBacklog(await store.CountPushDueAsync(stoppingToken));
                if (pushed == 0)
                {
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Stock push round failed; trying again");
                await Task.Delay(settings.PollInterval * 10, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        await DrainAsync();
        await store.State.ReleaseLeaseAsync(LeaseName, _owner, CancellationToken.None);
    }

    /// <summary>
    /// One round over every SKU due now. Threshold SKUs are pushed at once and the round waits for them; the ordinary
    /// ones go out together in the background (one batch at a time, typically one bulk call), so a threshold push never
    /// waits behind a bulk. A SKU is in at most one call at a time, so an older figure can never overtake a newer one.
    /// Returns how many SKUs were taken.
    /// </summary>
    public async Task<int> PushDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        var urgentDue = (await store.DueForPushAsync(now, settings.Push.MaxSkusPerRound, cancellationToken, urgentOnly: true))
            .Where(sku => !_urgentInFlight.ContainsKey(sku))
            .ToHashSet(StringComparer.Ordinal);

        // Once anything is due, SKUs due within the next quarter window come along: each is still coalesced for most of
        // its window, and the round fills one call instead of leaving a trickle of small ones behind it. Only read when
        // the ordinary lane is free: loading SKUs it cannot take yet would only burn time.
        var ordinaryDue = new List<string>();
        if (_ordinaryRound.IsCompleted && await store.NextDueAsync(cancellationToken) is { } next && next <= now)
        {
            ordinaryDue = (await store.DueForPushAsync(now + settings.Push.Window / 4, settings.Push.MaxSkusPerRound, cancellationToken))
                .Where(sku => !_urgentInFlight.ContainsKey(sku) && !_ordinaryInFlight.ContainsKey(sku) && !urgentDue.Contains(sku))
                .ToList();
        }

        if (urgentDue.Count == 0 && ordinaryDue.Count == 0)
        {
            return 0;
        }

        var stocks = await store.LoadManyAsync([.. urgentDue, .. ordinaryDue], cancellationToken);
        var urgent = stocks.Where(s => s.Value.Stock.Push.Threshold).ToDictionary(StringComparer.Ordinal);
        // An entry whose marks were already dealt with goes along too, to be taken off the index.
        var ordinary = stocks.Where(s => !s.Value.Stock.Push.Threshold).ToDictionary(StringComparer.Ordinal);
        if (ordinary.Count > 0)
        {
            _ordinaryRound = StartRound(ordinary, urgent: false, _ordinaryInFlight, settings, () => { }, cancellationToken);
        }

        if (urgent.Count > 0)
        {
            // Threshold rounds overlap (on disjoint SKUs): a crossing that arrives while the previous round records its
            // results goes out at once instead of waiting for it.
            await _urgentSlots.WaitAsync(cancellationToken);
            foreach (var sku in urgent.Keys.Where(_ordinaryInFlight.ContainsKey))
            {
                // A threshold does not wait for a bulk the SKU is in (Magento may take minutes to apply one). The bulk
                // could then land after this push, so its round forgets what it pushed and pushes the SKU again.
                _preempted[sku] = true;
            }

            var round = StartRound(urgent, urgent: true, _urgentInFlight, settings, () =>
            {
                _urgentSlots.Release();
                signal.Wake();
            }, cancellationToken);
            lock (_urgentRounds)
            {
                _urgentRounds.RemoveAll(t => t.IsCompleted);
                _urgentRounds.Add(round);
            }
        }

        return urgent.Count + ordinary.Count;
    }

    // The SKUs of a round are in flight until it has recorded its results, so no other round of that lane takes them.
    private Task StartRound(
        Dictionary<string, (SkuStock Stock, string? ETag)> stocks,
        bool urgent,
        System.Collections.Concurrent.ConcurrentDictionary<string, bool> inFlight,
        InventoryOptions settings,
        Action done,
        CancellationToken cancellationToken)
    {
        foreach (var sku in stocks.Keys)
        {
            inFlight[sku] = true;
        }

        return Task.Run(async () =>
        {
            try
            {
                await PushAsync(stocks, urgent, settings, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Stock push of {Count} SKUs ({Lane}) failed; they stay due", stocks.Count, urgent ? "threshold" : "ordinary");
            }
            finally
            {
                foreach (var sku in stocks.Keys)
                {
                    inFlight.TryRemove(sku, out _);
                }

                done();
            }
        }, CancellationToken.None);
    }

    // Shutdown waits for the rounds in flight, so what they pushed is recorded.
    private Task DrainAsync()
    {
        lock (_urgentRounds)
        {
            return Task.WhenAll([_ordinaryRound, .. _urgentRounds]);
        }
    }

    private async Task PushAsync(Dictionary<string, (SkuStock Stock, string? ETag)> stocks, bool urgent, InventoryOptions settings, CancellationToken cancellationToken)
    {
        var outcomes = stocks.Keys.ToDictionary(sku => sku, _ => new SkuOutcome(), StringComparer.Ordinal);
        foreach (var target in targets)
        {
            if (!settings.Targets.TryGetValue(target.Name, out var targetOptions) || !targetOptions.Enabled)
            {
                continue;
            }

            var items = new List<TargetItem>();
            foreach (var (sku, (stock, _)) in stocks)
            {
                foreach (var location in stock.Locations.Keys.Order(StringComparer.Ordinal))
                {
                    var wanted = stock.ForTarget(targetOptions.Expects, location, policy);
                    if (stock.Push.LastPushed(target.Name, location) != wanted)
                    {
                        items.Add(new TargetItem(sku, location, wanted.Quantity, wanted.InStock));
                    }
                }
            }

            var result = items.Count > 0 ? await target.PushAsync(items, urgent, cancellationToken) : Empty;
            var completedAt = time.GetUtcNow();
            foreach (var item in result.Accepted)
            {
                var outcome = outcomes[item.Sku];
                outcome.Accepted.Add((target.Name, item));
                outcome.CompletedAt = completedAt;
            }

            foreach (var (item, transient, reason) in result.Failed)
            {
                var failed = outcomes[item.Sku];
                failed.Failed = true;
                failed.Refused |= !transient;
                metrics.PushFailed(target.Name, transient ? "transient" : "rejected", 1);
                logger.LogWarning("Target {Target} did not take {Sku} at {Location}: {Reason}; trying again in {Retry}", target.Name, item.Sku, item.Location, reason, settings.Push.RetryAfter);
            }

            if (result.Failed.Count == 0)
            {
                freshness.RecordSuccess($"stock.push.{target.Name}");
            }
            else
            {
                freshness.RecordFailure($"stock.push.{target.Name}", $"{result.Failed.Count} items not taken");
            }
        }

        var finishedAt = time.GetUtcNow();
        await Parallel.ForEachAsync(stocks, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var (sku, (stock, etag)) = entry;
            if (!urgent && _preempted.TryRemove(sku, out _))
            {
                var again = new StateTransaction().Delete(StockStore.PushedKey(sku)).AddToIndex(StockStore.PushDueIndex, sku, time.GetUtcNow().ToUnixTimeMilliseconds());
                await store.State.CommitAsync(again, ct);
                return;
            }

            await FinishAsync(sku, stock.Version, etag, stock.Push, outcomes[sku], outcomes[sku].CompletedAt ?? finishedAt, settings.Push.RetryAfter, ct);
        });
    }

    // Records what the targets now hold, beside the SKU and never in it, so a push never conflicts with the reservations
    // and stock reports writing the SKU. The SKU leaves the push indexes only if it did not change while it was pushed;
    // otherwise it stays due and the next round sends the newer figure.
    private async Task FinishAsync(string sku, long pushedVersion, string? seenETag, PushState pushedState, SkuOutcome outcome, DateTimeOffset finishedAt, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        if (!outcome.Failed && (pushedState.Threshold ? pushedState.ThresholdSince : pushedState.ChangedSince) is { } since)
        {
            foreach (var target in outcome.Accepted.Select(a => a.Target).Distinct(StringComparer.Ordinal))
            {
                metrics.PushLatency(target, pushedState.Threshold, finishedAt - since);
            }
        }

        foreach (var (target, item) in outcome.Accepted)
        {
            pushedState.RecordPushed(target, item.Location, new TargetQuantity(item.Quantity, item.InStock));
        }

        if (outcome.Failed)
        {
            // A refusal will not go away by itself (an unknown source code, a product missing in the store): try it
            // again far less often than a transient failure, so one bad SKU does not keep the push flow failing.
            var retryAt = finishedAt + (outcome.Refused ? retryAfter * 60 : retryAfter);
            var retry = StockStore.SavePushed(new StateTransaction(), sku, new PushedRecord { Version = pushedState.PushedVersion, Targets = pushedState.Pushed }, seenETag, leaveIndexes: true)
                .AddToIndex(StockStore.PushDueIndex, sku, retryAt.ToUnixTimeMilliseconds())
                .RemoveFromIndex(StockStore.PushUrgentIndex, sku);
            await store.State.CommitAsync(retry, cancellationToken);
            return;
        }

        var done = new PushedRecord { Version = pushedVersion, Targets = pushedState.Pushed };
        try
        {
            await store.State.CommitAsync(StockStore.SavePushed(new StateTransaction(), sku, done, seenETag, leaveIndexes: false), cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            await store.State.CommitAsync(StockStore.SavePushed(new StateTransaction(), sku, done, seenETag, leaveIndexes: true), cancellationToken);
        }
    }

    private static readonly TargetPushResult Empty = new([], []);



    private sealed class SkuOutcome
    {
        public List<(string Target, TargetItem Item)> Accepted { get; } = [];
        public bool Failed { get; set; }
        public bool Refused { get; set; }
        public DateTimeOffset? CompletedAt { get; set; }
    }
}
