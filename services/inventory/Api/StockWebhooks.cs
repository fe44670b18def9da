using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Connectors;
using Platform.Contracts.Inventory.V1;
using Platform.Inventory.Infrastructure;

namespace Platform.Inventory.Api;

/// <summary>
/// <c>POST /webhooks/stock/{source}</c>: a source's batch of stock figures. Verifies the source's HMAC signature, checks
/// every figure's shape, writes them to the ingest topic and answers 202; applying them happens behind the topic.
/// Anonymous to the platform's API keys: the signature is the credential.
/// </summary>
public static class StockWebhooks
{
    public const string DeliveryIdHeader = "X-Platform-Webhook-Id";
    public const string SignatureHeader = WebhookSignature.HeaderName;

    public static void Map(WebApplication app) =>
        app.MapPost("/webhooks/stock/{source}", ReceiveAsync).AllowAnonymous().DisableAntiforgery();

    private static async Task<IResult> ReceiveAsync(
        string source,
        HttpRequest request,
        IOptionsMonitor<InventoryOptions> options,
        StockIntake intake,
        InventoryMetrics metrics,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!settings.Sources.TryGetValue(source, out var sourceOptions))
        {
            // The path is the caller's to choose: an unconfigured name must not become a new metric series.
            metrics.IntakeRejected("unknown", "webhook", "unknown_source");
            return Problem(StatusCodes.Status404NotFound, "Unknown source", $"stock source '{source}' is not configured in this deployment");
        }

        if (string.IsNullOrEmpty(sourceOptions.WebhookSecret))
        {
            metrics.IntakeRejected(source, "webhook", "no_secret");
            return Problem(StatusCodes.Status404NotFound, "Webhook not enabled", $"stock source '{source}' has no webhook secret configured");
        }

        var body = await ReadBodyAsync(request, settings.MaxWebhookBytes, cancellationToken);
        if (body is null)
        {
            metrics.IntakeRejected(source, "webhook", "too_large");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"stock webhook bodies are limited to {settings.MaxWebhookBytes} bytes");
        }

        var verification = WebhookSignature.Verify(request.Headers[SignatureHeader], body, sourceOptions.WebhookSecret, time.GetUtcNow(), sourceOptions.WebhookTolerance);
        if (!verification.IsValid)
        {
            metrics.IntakeRejected(source, "webhook", "bad_signature");
            return Problem(StatusCodes.Status401Unauthorized, "Signature refused", verification.Reason);
        }

        var deliveryId = request.Headers[DeliveryIdHeader].ToString();
        if (deliveryId.Length is 0 or > 200)
        {
            metrics.IntakeRejected(source, "webhook", "missing_delivery_id");
            return Problem(StatusCodes.Status400BadRequest, "Missing delivery id", $"header {DeliveryIdHeader} is required (1 to 200 characters)");
        }

        var (updates, errors) = StockUpdateJson.ParseBatch(body, settings.MaxWebhookUpdates, deliveryId);
        if (errors.Count > 0)
        {
            metrics.IntakeRejected(source, "webhook", "malformed");
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Malformed stock updates",
                detail: string.Join("; ", errors.Take(20)) + (errors.Count > 20 ? $"; and {errors.Count - 20} more" : ""),
                extensions: new Dictionary<string, object?> { ["errors"] = errors.Take(100).ToList() });
        }

        await intake.PublishAsync(source, StockChannel.Webhook, updates, cancellationToken);
        return Results.Accepted(value: new { accepted = updates.Count });
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);
}

/// <summary>The JSON shape of stock figures a source sends (webhook body), checked field by field.</summary>
public static class StockUpdateJson
{
    public static (IReadOnlyList<IncomingStockUpdate> Updates, IReadOnlyList<string> Errors) ParseBatch(ReadOnlyMemory<byte> body, int maxUpdates, string reference)
    {
        var errors = new List<string>();
        var updates = new List<IncomingStockUpdate>();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return ([], [$"body is not JSON: {ex.Message}"]);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("updates", out var array)
                || array.ValueKind != JsonValueKind.Array)
            {
                return ([], ["body must be an object with an 'updates' array"]);
            }

            var count = array.GetArrayLength();
            if (count > maxUpdates)
            {
                return ([], [$"updates holds {count} entries; at most {maxUpdates} are accepted per request"]);
            }

            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var update = ParseUpdate(element, $"updates[{index}]", $"{reference}#{index}", errors);
                if (update is not null)
                {
                    updates.Add(update);
                }

                index++;
            }
        }

        return (updates, errors);
    }

    /// <summary>One update; null (with the reasons added to <paramref name="errors"/>) when any field is wrong.</summary>
    public static IncomingStockUpdate? ParseUpdate(JsonElement element, string path, string reference, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{path} must be an object");
            return null;
        }

        var before = errors.Count;
        var sku = RequiredString(element, "sku", path, errors);
        var location = RequiredString(element, "location", path, errors);
        var kind = StockReportKind.Unspecified;
        switch (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null)
        {
            case "absolute":
                kind = StockReportKind.Snapshot;
                break;
            case "delta":
                kind = StockReportKind.Adjustment;
                break;
            default:
                errors.Add($"{path}.type must be \"absolute\" or \"delta\"");
                break;
        }

        decimal quantity = 0;
        if (!element.TryGetProperty("quantity", out var quantityElement) || quantityElement.ValueKind != JsonValueKind.Number || !quantityElement.TryGetDecimal(out quantity))
        {
            errors.Add($"{path}.quantity must be a number");
        }

        long? sequence = null;
        if (element.TryGetProperty("sequence", out var sequenceElement) && sequenceElement.ValueKind != JsonValueKind.Null)
        {
            if (sequenceElement.ValueKind == JsonValueKind.Number && sequenceElement.TryGetInt64(out var value) && value >= 0)
            {
                sequence = value;
            }
            else
            {
                errors.Add($"{path}.sequence must be a whole number of at least 0");
            }
        }

        DateTimeOffset? measuredAt = null;
        if (element.TryGetProperty("measuredAt", out var measuredElement) && measuredElement.ValueKind != JsonValueKind.Null)
        {
            if (measuredElement.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(measuredElement.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                measuredAt = at.ToUniversalTime();
            }
            else
            {
                errors.Add($"{path}.measuredAt must be an ISO-8601 timestamp");
            }
        }

        return errors.Count > before ? null : Validate(sku!, location!, kind, quantity, sequence, measuredAt, reference, path + ".", errors);
    }

    /// <summary>
    /// The rules every channel shares, once the fields have been read. <paramref name="fieldPrefix"/> names a field in the
    /// caller's terms: "updates[3]." for a webhook, "line 7: " for a file.
    /// </summary>
    public static IncomingStockUpdate? Validate(string sku, string location, StockReportKind kind, decimal quantity, long? sequence, DateTimeOffset? measuredAt, string reference, string fieldPrefix, List<string> errors)
    {
        var before = errors.Count;
        if (sequence is null && measuredAt is null)
        {
            errors.Add($"{fieldPrefix}sequence or measuredAt is required to order the update");
        }

        if (kind == StockReportKind.Snapshot && quantity < 0)
        {
            errors.Add($"{fieldPrefix}quantity of an absolute level cannot be negative (got {quantity.ToString(CultureInfo.InvariantCulture)})");
        }

        if (decimal.Round(quantity, 9) != quantity)
        {
            errors.Add($"{fieldPrefix}quantity has more than nine decimal places");
        }

        if (sku.Length > 64 || location.Length > 64)
        {
            errors.Add($"{fieldPrefix}sku and location are limited to 64 characters");
        }

        return errors.Count > before ? null : new IncomingStockUpdate(sku, location, kind, quantity, sequence, measuredAt, reference);
    }

    private static string? RequiredString(JsonElement element, string name, string path, List<string> errors)
    {
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text))
        {
            return text;
        }

        errors.Add($"{path}.{name} must be a non-empty string");
        return null;
    }
}
