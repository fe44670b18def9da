using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems.Magento;

/// <summary>
/// Where the simulated store sends its order webhooks and what goes wrong on the way. Read from
/// <c>Sandbox:Magento:Webhooks</c> at start, replaced at run time with <c>PUT /_sandbox/magento/webhooks</c>.
/// </summary>
// A misspelt knob would otherwise be ignored in silence and a test would check nothing.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MagentoWebhookSettings
{
    /// <summary>The platform's webhook endpoint; none means the store sends no webhooks.</summary>
    public string? Url { get; init; }

    /// <summary>Share of events delivered twice: the same bytes, headers and signature.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Share of events never sent; only the platform's changed-since poll can find those changes.</summary>
    public double DropRate { get; init; }

    /// <summary>Share of events held back for <see cref="OutOfOrderDelayMs"/>, so later events about the same order overtake them.</summary>
    public double OutOfOrderRate { get; init; }

    public int OutOfOrderDelayMs { get; init; } = 2000;

    /// <summary>Attempts per event when the receiver answers other than 2xx or not at all; they share the webhook id.</summary>
    public int MaxAttempts { get; init; } = 3;

    public int TimeoutSeconds { get; init; } = 10;

    /// <summary>Overrides <c>Sandbox:Seed</c> for the delivery dice.</summary>
    public int? Seed { get; init; }

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                errors[field] = [message];
            }
        }

        Check(Url is null || (Uri.TryCreate(Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"), "url", "must be an absolute http(s) URL");
        Check(DuplicateRate is >= 0 and <= 1, "duplicateRate", "must be between 0 and 1");
        Check(DropRate is >= 0 and <= 1, "dropRate", "must be between 0 and 1");
        Check(OutOfOrderRate is >= 0 and <= 1, "outOfOrderRate", "must be between 0 and 1");
        Check(OutOfOrderDelayMs is >= 0 and <= 600_000, "outOfOrderDelayMs", "must be between 0 and 600000");
        Check(MaxAttempts is >= 1 and <= 20, "maxAttempts", "must be between 1 and 20");
        Check(TimeoutSeconds is >= 1 and <= 300, "timeoutSeconds", "must be between 1 and 300");
        return errors;
    }
}

/// <summary>
/// Sends the platform-defined order webhooks of the simulated Magento store (Magento has no signed webhooks of its own):
/// a POST of the order JSON, signed with the store's secret (see <see cref="Sign"/>), from a background queue with
/// bounded concurrency. Faults are rolled per event with seeded dice. Counters, per <c>{store}:{increment_id}</c>:
/// <c>magento.webhooks.sent</c> (each delivery answered 2xx, duplicates included), <c>.duplicated</c>, <c>.dropped</c>,
/// <c>.delayed</c>, <c>.retried</c> (failed attempts followed by another) and <c>.failed</c> (events given up).
/// </summary>
public sealed class MagentoWebhooks : BackgroundService
{
    public const string SignatureHeader = WebhookSignature.Header;
    public const string StoreHeader = "X-Platform-Store";
    public const string EventHeader = "X-Platform-Event";
    public const string IdHeader = WebhookSignature.IdHeader;

    private readonly Channel<Delivery> _queue = Channel.CreateUnbounded<Delivery>();
    private readonly Lock _gate = new();
    private readonly MagentoOptions _options;
    private readonly int _defaultSeed;
    private readonly SandboxCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<MagentoWebhooks> _logger;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private MagentoWebhookSettings _settings;
    private Random _dice;
    private long _pending;

    public MagentoWebhooks(IOptions<MagentoOptions> options, IOptions<SandboxOptions> sandbox, SandboxCounters counters, TimeProvider time, ILogger<MagentoWebhooks> logger)
    {
        _options = options.Value;
        _defaultSeed = sandbox.Value.Seed;
        _counters = counters;
        _time = time;
        _logger = logger;
        _settings = _options.Webhooks;
        _dice = NewDice(_settings);
    }

    public MagentoWebhookSettings Settings
    {
        get
        {
            lock (_gate)
            {
                return _settings;
            }
        }
    }

    public int Concurrency => _options.WebhookConcurrency;

    /// <summary>Events accepted and not yet delivered or given up (waiting, delayed, being retried or in flight).</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <returns>Null, or why the settings cannot be used (they are then not applied).</returns>
    public string? Apply(MagentoWebhookSettings settings)
    {
        if (settings.Url is not null && MissingSecret() is { } store)
        {
            return $"no webhook secret for store '{store}': set Sandbox:Magento:WebhookSecret (or WebhookSecrets:{store})";
        }

        lock (_gate)
        {
            _settings = settings;
            _dice = NewDice(settings);
        }

        return null;
    }

    /// <summary>The first store view that takes orders and has no webhook secret, if any.</summary>
    public string? MissingSecret() =>
        _options.OrderStores().Select(view => view.Code).FirstOrDefault(code => string.IsNullOrEmpty(SecretFor(code)));

    /// <summary>See <see cref="WebhookSignature"/>.</summary>
    public static string Sign(string secret, long unixSeconds, ReadOnlySpan<byte> body) => WebhookSignature.Sign(secret, unixSeconds, body);

    /// <summary>Queues the event for the order as it is now. Called under the sales lock, so events of one order queue in order.</summary>
    public void Publish(string eventName, SalesOrder order)
    {
        MagentoWebhookSettings settings;
        double drop, duplicate, delay;
        lock (_gate)
        {
            settings = _settings;
            if (settings.Url is null)
            {
                return;
            }

            // All three draws happen for every event, so one knob does not shift the sequence of another.
            drop = _dice.NextDouble();
            duplicate = _dice.NextDouble();
            delay = _dice.NextDouble();
        }

        var item = order.Store.Code + ":" + order.IncrementId;
        if (drop < settings.DropRate)
        {
            _counters.Increment("magento.webhooks.dropped", item);
            return;
        }

        Interlocked.Increment(ref _pending);
        _queue.Writer.TryWrite(new Delivery(
            Guid.NewGuid().ToString(), eventName, order, item, settings,
            Copies: duplicate < settings.DuplicateRate ? 2 : 1,
            Held: delay < settings.OutOfOrderRate));
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.WebhookConcurrency).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (delivery.Held)
                {
                    _counters.Increment("magento.webhooks.delayed", delivery.Item);
                    Requeue(delivery with { Held = false }, TimeSpan.FromMilliseconds(delivery.Settings.OutOfOrderDelayMs), stoppingToken);
                    continue;
                }

                await DeliverAsync(delivery, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is still queued is lost, as with a store whose queue consumer stops.
        }
    }

    private async Task DeliverAsync(Delivery delivery, CancellationToken stoppingToken)
    {
        delivery.Body ??= JsonSerializer.SerializeToUtf8Bytes(MagentoOrderPayload.From(delivery.Order), SystemJson.SnakeCaseWithoutNulls);
        var secret = SecretFor(delivery.Order.Store.Code) ?? "";
        // Retries are new requests with a fresh timestamp; a duplicate repeats the delivered request byte for byte.
        var signature = Sign(secret, _time.GetUtcNow().ToUnixTimeSeconds(), delivery.Body);
        var outcome = await PostAsync(delivery, signature, stoppingToken);
        if (outcome is null)
        {
            _counters.Increment("magento.webhooks.sent", delivery.Item);
            if (delivery.Copies > 1 && await PostAsync(delivery, signature, stoppingToken) is null)
            {
                _counters.Increment("magento.webhooks.sent", delivery.Item);
                _counters.Increment("magento.webhooks.duplicated", delivery.Item);
            }

            Interlocked.Decrement(ref _pending);
            return;
        }

        if (delivery.Attempt < delivery.Settings.MaxAttempts)
        {
            _counters.Increment("magento.webhooks.retried", delivery.Item);
            Requeue(delivery with { Attempt = delivery.Attempt + 1 }, TimeSpan.FromMilliseconds(200 * Math.Pow(2, delivery.Attempt - 1)), stoppingToken);
            return;
        }

        _counters.Increment("magento.webhooks.failed", delivery.Item);
        _logger.LogWarning("Gave up the {Event} webhook {WebhookId} for order {Order} after {Attempts} attempts: {Outcome}",
            delivery.EventName, delivery.Id, delivery.Item, delivery.Attempt, outcome);
        Interlocked.Decrement(ref _pending);
    }

    /// <returns>Null when the receiver answered 2xx, else what went wrong.</returns>
    private async Task<string?> PostAsync(Delivery delivery, string signature, CancellationToken stoppingToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Settings.Url) { Content = new ByteArrayContent(delivery.Body!) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
        request.Headers.TryAddWithoutValidation(StoreHeader, delivery.Order.Store.Code);
        request.Headers.TryAddWithoutValidation(EventHeader, delivery.EventName);
        request.Headers.TryAddWithoutValidation(IdHeader, delivery.Id);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Platform-Sandbox-Magento", "1.0"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(delivery.Settings.TimeoutSeconds));
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : "HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return "timed out";
        }
        catch (HttpRequestException exception)
        {
            return exception.Message;
        }
    }

    private void Requeue(Delivery delivery, TimeSpan after, CancellationToken stoppingToken) => _ = Task.Run(async () =>
    {
        try
        {
            await Task.Delay(after, stoppingToken);
            _queue.Writer.TryWrite(delivery);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }, CancellationToken.None);

    private string? SecretFor(string store) =>
        _options.WebhookSecrets.TryGetValue(store, out var secret) && secret.Length > 0 ? secret
        : _options.WebhookSecret.Length > 0 ? _options.WebhookSecret
        : null;

    private Random NewDice(MagentoWebhookSettings settings) => new((settings.Seed ?? _defaultSeed) ^ 0x3A7F11D5);

    private sealed record Delivery(string Id, string EventName, SalesOrder Order, string Item, MagentoWebhookSettings Settings, int Copies, bool Held)
    {
        public int Attempt { get; init; } = 1;

        /// <summary>Serialized once, on first send, from the snapshot taken when the event happened.</summary>
        public byte[]? Body { get; set; }
    }
}
