using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.State;

namespace Platform.Messaging;

public sealed class OutboxRelayOptions
{
    public int BatchSize { get; set; } = 500;

    /// <summary>How often an idle relay looks for new entries; a full batch is followed at once by the next.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>One relay per store publishes at a time, so entries leave in commit order; another takes over after this.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ErrorBackoff { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Publishes what transactions left in the outbox, then trims it. Publishing happens before trimming, so a crash in
/// between publishes an entry twice with the same event id, which consumers' inboxes absorb: nothing is lost.
/// </summary>
public sealed class OutboxRelay : BackgroundService
{
    private readonly IStateStore _store;
    private readonly IMessageTransport _transport;
    private readonly MessagingMetrics _metrics;
    private readonly OutboxRelayOptions _options;
    private readonly ILogger<OutboxRelay> _logger;
    private readonly string _owner = Environment.MachineName + "/" + Guid.NewGuid().ToString("N")[..8];
    private long _pending;
    private DateTimeOffset _lastCount = DateTimeOffset.MinValue;

    public OutboxRelay(IStateStore store, IMessageTransport transport, MessagingMetrics metrics, IOptions<OutboxRelayOptions> options, ILogger<OutboxRelay> logger)
    {
        _store = store;
        _transport = transport;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        metrics.Meter.CreateObservableGauge("platform.outbox.pending", () => new Measurement<long>(Interlocked.Read(ref _pending), new KeyValuePair<string, object?>("store", _store.Name)),
            "{event}", "Outbox entries committed but not yet published.");
    }

    /// <summary>Publishes everything pending now; returns how many entries were published.</summary>
    public async Task<int> DrainOnceAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var batch = await _store.ReadOutboxAsync(_options.BatchSize, cancellationToken);
            if (batch.Count == 0)
            {
                return total;
            }

            await _transport.ProduceBatchAsync(batch.Select(e => new TransportMessage(e.Topic, e.Key, e.Headers, e.Payload)).ToList(), cancellationToken);
            await _store.AcknowledgeOutboxAsync(batch.Select(e => e.Id).ToList(), cancellationToken);
            foreach (var topic in batch.GroupBy(e => e.Topic))
            {
                _metrics.Produced(topic.Key, "ok", topic.Count());
            }

            _metrics.OutboxPublished(_store.Name, batch.Count);
            total += batch.Count;
            if (batch.Count < _options.BatchSize)
            {
                return total;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await _store.TryAcquireLeaseAsync("outbox-relay", _owner, _options.LeaseDuration, stoppingToken))
                {
                    await DrainOnceAsync(stoppingToken);
                }

                await RefreshPendingAsync(stoppingToken);
                await Task.Delay(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Outbox relay for store {Store} failed; retrying in {Backoff}", _store.Name, _options.ErrorBackoff);
                await Task.Delay(_options.ErrorBackoff, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        try
        {
            await _store.ReleaseLeaseAsync("outbox-relay", _owner, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Could not release the outbox relay lease of store {Store}; it expires by itself", _store.Name);
        }
    }

    private async Task RefreshPendingAsync(CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        if (now - _lastCount < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _lastCount = now;
        Interlocked.Exchange(ref _pending, await _store.CountOutboxAsync(cancellationToken));
    }
}
