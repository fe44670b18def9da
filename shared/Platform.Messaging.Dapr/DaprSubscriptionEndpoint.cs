using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Messaging.Dapr;

/// <summary>
/// The app side of Dapr pub/sub over HTTP: <c>GET /dapr/subscribe</c> (programmatic subscriptions, raw payloads)
/// and one POST route per topic where the sidecar delivers each record wrapped in a CloudEvent. Written against the
/// documented wire format rather than Dapr.AspNetCore's attribute routing, because the platform's consumers are
/// created from configuration at start, not declared as endpoints.
/// </summary>
public sealed class DaprSubscriptionEndpoint
{
    public const string SubscribePath = "/dapr/subscribe";
    public const string AppApiTokenHeader = "dapr-api-token";

    private static readonly byte[] SuccessBody = """{"status":"SUCCESS"}"""u8.ToArray();
    private static readonly byte[] RetryBody = """{"status":"RETRY"}"""u8.ToArray();

    private readonly DaprTransportOptions _options;
    private readonly DaprSubscriptionRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal DaprSubscriptionEndpoint(DaprTransportOptions options, DaprSubscriptionRegistry registry, TimeProvider time, ILogger logger)
    {
        _options = options;
        _registry = registry;
        _time = time;
        _logger = logger;
    }

    /// <summary>Serves the request when it is the sidecar's; returns false for anything else.</summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var isSubscribe = HttpMethods.IsGet(request.Method) && request.Path.Equals(SubscribePath, StringComparison.Ordinal);
        var isDelivery = HttpMethods.IsPost(request.Method) && request.Path.StartsWithSegments(_options.RoutePrefix, StringComparison.Ordinal, out var rest)
            && rest.HasValue && rest.Value!.Length > 1;
        if (!isSubscribe && !isDelivery)
        {
            return false;
        }

        if (!IsFromSidecar(request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return true;
        }

        if (isSubscribe)
        {
            await WriteSubscriptionsAsync(context);
        }
        else
        {
            request.Path.StartsWithSegments(_options.RoutePrefix, StringComparison.Ordinal, out var topicPath);
            await DeliverAsync(context, Uri.UnescapeDataString(topicPath.Value![1..]));
        }

        return true;
    }

    public string RouteFor(string topic) => _options.RoutePrefix + "/" + Uri.EscapeDataString(topic);

    private async Task WriteSubscriptionsAsync(HttpContext context)
    {
        var topics = _registry.Announce(_time.GetUtcNow());
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(context.Response.Body))
        {
            json.WriteStartArray();
            foreach (var topic in topics)
            {
                json.WriteStartObject();
                json.WriteString("pubsubname", _options.PubSubName);
                json.WriteString("topic", topic);
                json.WriteStartObject("routes");
                json.WriteString("default", RouteFor(topic));
                json.WriteEndObject();
                json.WriteStartObject("metadata");
                json.WriteString(DaprRecordHeaders.RawPayload, "true");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        _logger.LogInformation("Told the Dapr sidecar this app subscribes to {Topics} on {PubSub}", string.Join(", ", topics), _options.PubSubName);
    }

    private async Task DeliverAsync(HttpContext context, string topic)
    {
        var aborted = context.RequestAborted;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, aborted);
        var (value, time) = ReadCloudEvent(body.ToArray());
        var record = DaprRecordHeaders.FromDelivery(topic, context.Request.Headers, value, time ?? _time.GetUtcNow(), _options.HeadersEscaped);
        var orderingKey = context.Request.Headers.ContainsKey(DaprRecordHeaders.DeliveredPartition)
            ? $"{topic}#{record.Partition}"
            : $"{topic}@{record.Key}";

        var status = DaprDeliveryStatus.Retry;
        if (_registry.Find(topic) is { } consumer)
        {
            status = await consumer.DeliverAsync(record, orderingKey, aborted);
        }
        else
        {
            _logger.LogDebug("No consumer of this app takes {Topic} right now; answering RETRY", topic);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(status == DaprDeliveryStatus.Success ? SuccessBody : RetryBody, CancellationToken.None);
    }

    /// <summary>
    /// The record's bytes out of the CloudEvent the sidecar wraps a raw payload in (<c>data_base64</c>). A body that
    /// is not such an envelope is handed over as it is, so the pipeline dead-letters it instead of it being lost.
    /// </summary>
    private static (byte[] Value, DateTimeOffset? Time) ReadCloudEvent(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (body, null);
            }

            DateTimeOffset? time = root.TryGetProperty("time", out var timeElement) && timeElement.ValueKind == JsonValueKind.String
                && timeElement.TryGetDateTimeOffset(out var parsed) ? parsed : null;
            if (root.TryGetProperty("data_base64", out var base64) && base64.ValueKind == JsonValueKind.String)
            {
                return (base64.GetBytesFromBase64(), time);
            }

            if (root.TryGetProperty("data", out var data))
            {
                return (data.ValueKind == JsonValueKind.String ? Encoding.UTF8.GetBytes(data.GetString()!) : Encoding.UTF8.GetBytes(data.GetRawText()), time);
            }

            return (body, time);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return (body, null);
        }
    }

    private bool IsFromSidecar(HttpRequest request)
    {
        if (string.IsNullOrEmpty(_options.AppApiToken))
        {
            return true;
        }

        var presented = Encoding.UTF8.GetBytes(request.Headers[AppApiTokenHeader].ToString());
        return CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes(_options.AppApiToken));
    }
}

public static class DaprSubscriptionApplicationBuilderExtensions
{
    /// <summary>
    /// Serves the sidecar's requests (subscription list and deliveries) ahead of the rest of the pipeline, so they
    /// never meet the app's own authentication; <see cref="DaprTransportOptions.AppApiToken"/> guards them instead.
    /// </summary>
    public static IApplicationBuilder UseDaprSubscriptions(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var endpoint = app.ApplicationServices.GetRequiredService<DaprTransport>().Subscriptions;
        return app.Use(async (context, next) =>
        {
            if (!await endpoint.TryHandleAsync(context))
            {
                await next(context);
            }
        });
    }
}
