using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Platform.Dapr.Tests.Sidecar;

/// <summary>
/// The sidecar's side of the app over HTTP, as daprd runs it with app health checks on: it probes the app; the
/// first time the app is healthy it reads <c>GET /dapr/subscribe</c> (once for its whole life) and starts the
/// subscriptions; when the app turns unhealthy it stops them, and starts them again when it recovers. Each
/// subscription is the component's consumer group (the app id) on every partition of the topic: one record per
/// partition in flight, delivered as a CloudEvent POST; SUCCESS or DROP (or 404) marks it and moves on, anything
/// else (RETRY, another status, no answer) delivers it again after the consume retry interval.
/// </summary>
internal sealed class AppChannelDouble : IAsyncDisposable
{
    private readonly DaprSidecarDoubleOptions _options;
    private readonly IReadOnlyDictionary<string, PubSubComponentDouble> _pubSubs;
    private readonly Uri _app;
    private readonly string _healthPath;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _closed = new();
    private readonly Dictionary<(string PubSub, string Topic, int Partition), long> _committed = [];
    private readonly Lock _gate = new();
    private readonly Task _probe;
    private List<Subscription>? _subscriptions;
    private CancellationTokenSource? _running;
    private List<Task> _loops = [];

    public AppChannelDouble(DaprSidecarDoubleOptions options, IReadOnlyDictionary<string, PubSubComponentDouble> pubSubs, Uri app, string healthPath, ILogger logger)
    {
        _options = options;
        _pubSubs = pubSubs;
        _app = app;
        _healthPath = healthPath;
        _logger = logger;
        _http = new HttpClient { BaseAddress = app, Timeout = options.DeliveryTimeout };
        _probe = Task.Run(ProbeAsync);
    }

    public bool SubscriptionsRunning
    {
        get
        {
            lock (_gate)
            {
                return _running is not null;
            }
        }
    }

    /// <summary>How often the sidecar asked the app for its subscriptions.</summary>
    public int SubscriptionReads { get; private set; }

    public long Committed(string pubSub, string topic, int partition)
    {
        lock (_gate)
        {
            return _committed.GetValueOrDefault((pubSub, topic, partition));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closed.CancelAsync();
        await _probe;
        await StopSubscriptionsAsync();
        _http.Dispose();
        _closed.Dispose();
    }

    private async Task ProbeAsync()
    {
        var healthy = false;
        while (!_closed.IsCancellationRequested)
        {
            var now = await IsHealthyAsync();
            if (now && !healthy)
            {
                if (_subscriptions is null)
                {
                    try
                    {
                        _subscriptions = await ReadSubscriptionsAsync();
                        SubscriptionReads++;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
                    {
                        _logger.LogWarning(ex, "Could not read the app's subscriptions; trying again at the next probe");
                        now = false;
                    }
                }

                if (_subscriptions is not null)
                {
                    StartSubscriptions(_subscriptions);
                }
            }
            else if (!now && healthy)
            {
                await StopSubscriptionsAsync();
            }

            healthy = now;
            try
            {
                await Task.Delay(_options.AppHealthProbeInterval, _closed.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await _http.GetAsync(_healthPath, _closed.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<List<Subscription>> ReadSubscriptionsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dapr/subscribe");
        AddAppToken(request);
        using var response = await _http.SendAsync(request, _closed.Token);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(_closed.Token));
        var subscriptions = new List<Subscription>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var route = item.TryGetProperty("routes", out var routes) ? routes.GetProperty("default").GetString()! : item.GetProperty("route").GetString()!;
            var raw = item.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("rawPayload", out var rawPayload)
                && bool.TryParse(rawPayload.GetString(), out var isRaw) && isRaw;
            subscriptions.Add(new Subscription(item.GetProperty("pubsubname").GetString()!, item.GetProperty("topic").GetString()!, route, raw));
        }

        return subscriptions;
    }

    private void StartSubscriptions(List<Subscription> subscriptions)
    {
        lock (_gate)
        {
            _running = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
            var token = _running.Token;
            _loops = subscriptions
                .Where(subscription => _pubSubs.ContainsKey(subscription.PubSub))
                .SelectMany(subscription => _pubSubs[subscription.PubSub].Partitions(subscription.Topic)
                    .Select((log, partition) => Task.Run(() => ConsumeAsync(subscription, partition, log, token))))
                .ToList();
        }
    }

    private async Task StopSubscriptionsAsync()
    {
        CancellationTokenSource? running;
        List<Task> loops;
        lock (_gate)
        {
            running = _running;
            loops = _loops;
            _running = null;
            _loops = [];
        }

        if (running is null)
        {
            return;
        }

        // Stopping a subscription cancels the deliveries in flight: their connection to the app is dropped.
        await running.CancelAsync();
        await Task.WhenAll(loops);
        running.Dispose();
    }

    private async Task ConsumeAsync(Subscription subscription, int partition, PartitionLog log, CancellationToken token)
    {
        var offset = Committed(subscription.PubSub, subscription.Topic, partition);
        while (!token.IsCancellationRequested)
        {
            if (!log.TryRead(offset, out var record, out var appended))
            {
                try
                {
                    await appended.WaitAsync(token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            var outcome = await DeliverAsync(subscription, record!, token);
            if (outcome == Outcome.Done)
            {
                offset++;
                lock (_gate)
                {
                    _committed[(subscription.PubSub, subscription.Topic, partition)] = offset;
                }

                continue;
            }

            try
            {
                await Task.Delay(_options.ConsumeRetryInterval, token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<Outcome> DeliverAsync(Subscription subscription, PublishedRecord record, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Route)
        {
            Content = new ByteArrayContent(subscription.RawPayload ? Wrap(subscription, record) : record.Value),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/cloudevents+json");
        foreach (var (name, value) in Metadata(record))
        {
            // The sidecar's own Content-Type and trace headers win over a record header of the same name.
            if (name is "content-type" or "traceparent" or "tracestate")
            {
                continue;
            }

            request.Headers.TryAddWithoutValidation(name, _options.EscapeHeaders ? QueryEscape(value) : value);
        }

        request.Headers.TryAddWithoutValidation("traceparent", $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01");
        AddAppToken(request);
        try
        {
            using var response = await _http.SendAsync(request, token);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                _logger.LogError("App answered 404 for {Topic}[{Partition}]@{Offset}; dropping it", record.Topic, record.Partition, record.Offset);
                return Outcome.Done;
            }

            if (!response.IsSuccessStatusCode)
            {
                return Outcome.Again;
            }

            var body = await response.Content.ReadAsStringAsync(token);
            if (body.Length == 0)
            {
                return Outcome.Done;
            }

            using var answer = JsonDocument.Parse(body);
            return answer.RootElement.TryGetProperty("status", out var status) && status.GetString() is "SUCCESS" or "DROP" ? Outcome.Done : Outcome.Again;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
        {
            return Outcome.Again;
        }
    }

    // What the Kafka component passes as metadata for a consumed record: its headers plus these entries.
    private static IEnumerable<(string Name, string Value)> Metadata(PublishedRecord record)
    {
        foreach (var (name, value) in record.Headers)
        {
            yield return (name, value);
        }

        if (record.Key is not null)
        {
            yield return ("__key", record.Key);
        }

        yield return ("__offset", record.Offset.ToString(CultureInfo.InvariantCulture));
        yield return ("__partition", record.Partition.ToString(CultureInfo.InvariantCulture));
        yield return ("__topic", record.Topic);
        yield return ("__timestamp", record.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
    }

    // A raw payload reaches an HTTP subscriber wrapped by the sidecar in a CloudEvent of its own making.
    private static byte[] Wrap(Subscription subscription, PublishedRecord record)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("specversion", "1.0");
            json.WriteString("id", Guid.NewGuid().ToString());
            json.WriteString("source", "dapr");
            json.WriteString("type", "com.dapr.event.sent");
            json.WriteString("datacontenttype", "application/octet-stream");
            json.WriteString("topic", subscription.Topic);
            json.WriteString("pubsubname", subscription.PubSub);
            json.WriteBase64String("data_base64", record.Value);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // Go's url.QueryEscape, which the Kafka component applies with escapeHeaders: space becomes '+'.
    private static string QueryEscape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                escaped.Append(c);
            }
            else if (c == ' ')
            {
                escaped.Append('+');
            }
            else
            {
                escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }

    private void AddAppToken(HttpRequestMessage request)
    {
        if (_options.AppApiToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        }
    }

    private enum Outcome
    {
        Done,
        Again,
    }

    private sealed record Subscription(string PubSub, string Topic, string Route, bool RawPayload);
}
