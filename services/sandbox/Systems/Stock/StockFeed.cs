using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems.Stock;

/// <summary>One batch of a send: a webhook request or a CSV file. A redelivery repeats a batch with its number and delivery id.</summary>
public sealed record StockBatch(int Number, string DeliveryId, IReadOnlyList<StockUpdate> Updates);

/// <summary>What a send delivers, in order: the batches, then the redeliveries; and how many pairs of updates were swapped.</summary>
public sealed record StockPlan(IReadOnlyList<StockBatch> Batches, IReadOnlyList<StockBatch> Redeliveries, int Reordered)
{
    /// <summary>
    /// Cuts the updates into batches after swapping, with probability <paramref name="outOfOrder"/>, each pair of consecutive
    /// updates of one SKU and location (a pair is swapped at most once, so an update moves by one place among its own), and
    /// picks with probability <paramref name="duplicates"/> the batches delivered once more at the end. Updates are taken to
    /// be in the source's order, so a swap makes an older update arrive after a newer one. The same seed gives the same plan.
    /// </summary>
    public static StockPlan Create(string runId, IReadOnlyList<StockUpdate> updates, int batchSize, double outOfOrder, double duplicates, int seed)
    {
        var dice = new Random(seed ^ 0x570C4F);
        var stream = updates.ToArray();
        var groups = new Dictionary<(string Sku, string Location), List<int>>();
        var firstSeen = new List<List<int>>();
        for (var i = 0; i < stream.Length; i++)
        {
            if (!groups.TryGetValue((stream[i].Sku, stream[i].Location), out var positions))
            {
                groups[(stream[i].Sku, stream[i].Location)] = positions = [];
                firstSeen.Add(positions);
            }

            positions.Add(i);
        }

        var reordered = 0;
        foreach (var positions in firstSeen)
        {
            for (var k = 0; k + 1 < positions.Count; k++)
            {
                if (dice.NextDouble() < outOfOrder)
                {
                    (stream[positions[k]], stream[positions[k + 1]]) = (stream[positions[k + 1]], stream[positions[k]]);
                    reordered++;
                    k++;
                }
            }
        }

        var batches = stream.Chunk(batchSize)
            .Select((chunk, index) => new StockBatch(index + 1, $"{runId}-{(index + 1).ToString("D5", CultureInfo.InvariantCulture)}", chunk))
            .ToList();
        var redeliveries = batches.Where(_ => dice.NextDouble() < duplicates).ToList();
        return new StockPlan(batches, redeliveries, reordered);
    }
}

/// <summary>The live state of one send; <see cref="State"/> is what the control API shows.</summary>
public sealed class StockRun(string id, string source, string channel, int updates, StockPlan plan, DateTimeOffset startedAt)
{
    private readonly Lock _gate = new();
    private readonly List<string> _files = [];
    private readonly List<StockDeliveryFailure> _failures = [];
    private long _sent, _failed, _retries;
    private long? _firstChange, _lastChange;
    private DateTimeOffset? _finishedAt;

    public string Id { get; } = id;

    public string Source { get; } = source;

    public StockRunState State()
    {
        lock (_gate)
        {
            return new StockRunState(
                Id, Source, channel, updates, plan.Batches.Count, plan.Reordered, plan.Redeliveries.Count,
                _sent, _failed, _retries, _finishedAt is not null, startedAt, _finishedAt,
                channel == "csv" ? [.. _files] : null,
                channel == "webhook" ? [.. _failures] : null,
                _firstChange is { } first ? StockChangeLog.FormatId(first) : null,
                _lastChange is { } last ? StockChangeLog.FormatId(last) : null);
        }
    }

    internal void Delivered() => Interlocked.Increment(ref _sent);

    internal void Retried() => Interlocked.Increment(ref _retries);

    internal void GaveUp(StockDeliveryFailure failure)
    {
        lock (_gate)
        {
            _failed++;
            _failures.Add(failure);
        }
    }

    internal void Wrote(string path)
    {
        lock (_gate)
        {
            _files.Add(path);
            _sent++;
        }
    }

    internal void Recorded(long first, long last)
    {
        lock (_gate)
        {
            _firstChange ??= first;
            _lastChange = last;
            _sent++;
        }
    }

    internal void Finish(DateTimeOffset at)
    {
        lock (_gate)
        {
            _finishedAt = at;
        }
    }
}

/// <summary>
/// The simulated ERP/WMS stock feeds. Any source name works; per send, the updates go one of three ways:
/// <c>pull</c> records them in the source's <see cref="StockChangeLog"/> (the ERP serves its own at
/// <c>GET /erp/api/v1/stock-changes</c>); <c>csv</c> writes one file per batch to <c>{CsvFolder}/{source}/</c>, each
/// written as <c>.csv.tmp</c> and renamed when complete; <c>webhook</c> POSTs signed batches to the inventory service in the
/// background, with bounded concurrency and retries, and the send's state tells when it is done.
/// Counters, per source: <c>stock.webhook.batches</c> and <c>stock.webhook.updates</c> (requests answered 2xx and their
/// updates, redeliveries included), <c>stock.webhook.redeliveries</c>, <c>stock.webhook.retries</c>,
/// <c>stock.webhook.failures</c> (batches given up), <c>stock.csv.files</c>, <c>stock.changes.recorded</c> and
/// <c>stock.updates.reordered</c> (pairs swapped, every channel).
/// </summary>
public sealed class StockFeed : IDisposable
{
    public const string CsvHeader = "sku,location,type,quantity,sequence,measured_at";

    private readonly StockOptions _options;
    private readonly int _defaultSeed;
    private readonly StockChangeLog _log;
    private readonly SandboxCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<StockFeed> _logger;
    private readonly CancellationToken _stopping;
    private readonly SemaphoreSlim _inFlight;
    private readonly ConcurrentDictionary<string, StockRun> _runs = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public StockFeed(
        IOptions<StockOptions> options,
        IOptions<SandboxOptions> sandbox,
        StockChangeLog log,
        SandboxCounters counters,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        ILogger<StockFeed> logger)
    {
        _options = options.Value;
        _defaultSeed = sandbox.Value.Seed;
        _log = log;
        _counters = counters;
        _time = time;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
        _inFlight = new SemaphoreSlim(_options.WebhookConcurrency, _options.WebhookConcurrency);
    }

    /// <summary>Why the channel cannot be used for the source, or null when it can.</summary>
    public string? Unavailable(string source, string channel) => channel switch
    {
        "webhook" when _options.WebhookUriFor(source) is null => "Sandbox:Stock:WebhookUrl is not set",
        "webhook" when _options.SecretFor(source) is null => $"no webhook secret for source '{source}': set Sandbox:Stock:WebhookSecret (or WebhookSecrets:{source})",
        "csv" when string.IsNullOrWhiteSpace(_options.CsvFolder) => "Sandbox:Stock:CsvFolder is not set",
        _ => null,
    };

    /// <summary>
    /// Plans the send and carries it out: <c>pull</c> and <c>csv</c> before returning, <c>webhook</c> in the background.
    /// Call <see cref="Unavailable"/> first.
    /// </summary>
    public async Task<StockRun> SendAsync(string source, string channel, IReadOnlyList<StockUpdate> updates, StockSendSpec spec, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N");
        var plan = StockPlan.Create(id, updates, spec.BatchSize, spec.OutOfOrder, spec.Duplicates, spec.Seed ?? _defaultSeed);
        var run = new StockRun(id, source, channel, updates.Count, plan, _time.GetUtcNow());
        _runs[id] = run;
        if (plan.Reordered > 0)
        {
            _counters.Increment("stock.updates.reordered", source, plan.Reordered);
        }

        switch (channel)
        {
            case "pull":
                foreach (var batch in plan.Batches.Concat(plan.Redeliveries))
                {
                    var (first, last) = _log.Append(source, batch.Updates);
                    _counters.Increment("stock.changes.recorded", source, batch.Updates.Count);
                    run.Recorded(first, last);
                }

                run.Finish(_time.GetUtcNow());
                break;
            case "csv":
                try
                {
                    await WriteFilesAsync(run, plan, cancellationToken);
                }
                finally
                {
                    run.Finish(_time.GetUtcNow());
                }

                break;
            default:
                _ = Task.Run(() => DeliverAsync(run, plan), CancellationToken.None);
                break;
        }

        return run;
    }

    public StockRun? Find(string source, string id) =>
        _runs.TryGetValue(id, out var run) && string.Equals(run.Source, source, StringComparison.OrdinalIgnoreCase) ? run : null;

    public static string CsvLine(StockUpdate update) => string.Join(',',
        Field(update.Sku), Field(update.Location), Field(update.Type), update.Quantity.ToString(CultureInfo.InvariantCulture),
        update.Sequence?.ToString(CultureInfo.InvariantCulture) ?? "", update.MeasuredAt ?? "");

    // The semaphore is left to the collector: a send still winding down at shutdown may release it after this.
    public void Dispose() => _http.Dispose();

    private static string Field(string value) => value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private async Task WriteFilesAsync(StockRun run, StockPlan plan, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(_options.CsvFolder!, run.Source);
        Directory.CreateDirectory(folder);
        // Names sort in delivery order: a watcher taking files by name sees the redeliveries last.
        var prefix = _time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture) + "-" + run.Id[..12];
        var number = 0;
        foreach (var batch in plan.Batches.Concat(plan.Redeliveries))
        {
            var text = new StringBuilder(CsvHeader).Append("\r\n");
            foreach (var update in batch.Updates)
            {
                text.Append(CsvLine(update)).Append("\r\n");
            }

            var path = Path.Combine(folder, $"{prefix}-{(++number).ToString("D5", CultureInfo.InvariantCulture)}.csv");
            await File.WriteAllTextAsync(path + ".tmp", text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), cancellationToken);
            File.Move(path + ".tmp", path);
            _counters.Increment("stock.csv.files", run.Source);
            run.Wrote(path);
        }
    }

    private async Task DeliverAsync(StockRun run, StockPlan plan)
    {
        var uri = _options.WebhookUriFor(run.Source)!;
        var secret = _options.SecretFor(run.Source)!;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.WebhookConcurrency, CancellationToken = _stopping };
        var delivered = new ConcurrentDictionary<int, bool>();
        try
        {
            await Parallel.ForEachAsync(plan.Batches, parallel, async (batch, cancellationToken) =>
            {
                if (await SendBatchAsync(run, uri, secret, batch, redelivery: false, cancellationToken))
                {
                    delivered[batch.Number] = true;
                }
            });
            // A batch given up is not redelivered: a redelivery repeats what the receiver already acknowledged.
            await Parallel.ForEachAsync(plan.Redeliveries.Where(batch => delivered.ContainsKey(batch.Number)), parallel, async (batch, cancellationToken) =>
                await SendBatchAsync(run, uri, secret, batch, redelivery: true, cancellationToken));
        }
        catch (Exception) when (_stopping.IsCancellationRequested)
        {
            // Shutting down (the client may be gone already): what was not sent is lost, as with a source system that stops.
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Stock webhook send {RunId} for {Source} stopped", run.Id, run.Source);
        }
        finally
        {
            run.Finish(_time.GetUtcNow());
        }
    }

    /// <returns>Whether the receiver acknowledged the batch.</returns>
    private async Task<bool> SendBatchAsync(StockRun run, Uri uri, string secret, StockBatch batch, bool redelivery, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new StockWebhookBody(run.Source, batch.Updates), SystemJson.CamelCaseWithoutNulls);
        for (var attempt = 1; ; attempt++)
        {
            Outcome outcome;
            await _inFlight.WaitAsync(cancellationToken);
            try
            {
                // Every attempt is a new request, signed when it is sent; only the delivery id stays.
                outcome = await PostAsync(uri, body, batch.DeliveryId, WebhookSignature.Sign(secret, _time.GetUtcNow().ToUnixTimeSeconds(), body), cancellationToken);
            }
            finally
            {
                _inFlight.Release();
            }

            if (outcome.Delivered)
            {
                _counters.Increment("stock.webhook.batches", run.Source);
                _counters.Increment("stock.webhook.updates", run.Source, batch.Updates.Count);
                if (redelivery)
                {
                    _counters.Increment("stock.webhook.redeliveries", run.Source);
                }

                run.Delivered();
                return true;
            }

            if (!outcome.Retriable || attempt >= _options.WebhookMaxAttempts)
            {
                _counters.Increment("stock.webhook.failures", run.Source);
                run.GaveUp(new StockDeliveryFailure(batch.DeliveryId, attempt, outcome.Text));
                _logger.LogWarning("Gave up stock webhook {DeliveryId} for {Source} after {Attempts} attempts: {Outcome}", batch.DeliveryId, run.Source, attempt, outcome.Text);
                return false;
            }

            _counters.Increment("stock.webhook.retries", run.Source);
            run.Retried();
            var backoff = outcome.RetryAfter
                ?? TimeSpan.FromMilliseconds(Math.Min(10_000, _options.WebhookRetryDelayMs * Math.Pow(2, attempt - 1)));
            await Task.Delay(backoff, cancellationToken);
        }
    }

    private async Task<Outcome> PostAsync(Uri uri, byte[] body, string deliveryId, string signature, CancellationToken stoppingToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, deliveryId);
        request.Headers.TryAddWithoutValidation(WebhookSignature.Header, signature);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Platform-Sandbox-Stock", "1.0"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.WebhookTimeoutSeconds));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return new Outcome(true, false, "HTTP " + status.ToString(CultureInfo.InvariantCulture), null);
            }

            var retriable = status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            var retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? TimeSpan.FromSeconds(Math.Min(30, delta.TotalSeconds)) : (TimeSpan?)null;
            return new Outcome(false, retriable, "HTTP " + status.ToString(CultureInfo.InvariantCulture), retryAfter);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new Outcome(false, true, "timed out", null);
        }
        catch (HttpRequestException exception)
        {
            return new Outcome(false, true, exception.Message, null);
        }
    }

    private readonly record struct Outcome(bool Delivered, bool Retriable, string Text, TimeSpan? RetryAfter);
}
