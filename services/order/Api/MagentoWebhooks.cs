using Microsoft.Extensions.Options;
using Platform.Connectors.Magento;
using Platform.Contracts.Order.V1;
using Platform.Order.Infrastructure;

namespace Platform.Order.Api;

/// <summary>
/// <c>POST /webhooks/magento/{store}/orders</c>: verifies the signature, stores the report on the ingest topic and
/// answers 202 at once (well inside the storefront's webhook timeout); interpreting it happens behind the topic.
/// Anonymous to the platform's API keys: the HMAC signature is the credential.
/// </summary>
public static class MagentoWebhooks
{
    public const string DeliveryIdHeader = "X-Platform-Webhook-Id";

    public static void Map(WebApplication app) =>
        app.MapPost("/webhooks/magento/{store}/orders", ReceiveAsync).AllowAnonymous().DisableAntiforgery();

    private static async Task<IResult> ReceiveAsync(
        string store,
        HttpRequest request,
        IOptionsMonitor<OrderOptions> options,
        IOptionsMonitor<MagentoWebhookOptions> webhookOptions,
        IngestPublisher ingest,
        OrderMetrics metrics,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!settings.Serves(store))
        {
            metrics.WebhookRejected("unknown_store");
            return Problem(StatusCodes.Status404NotFound, "Unknown store", $"store code '{store}' is not served by this deployment");
        }

        if (request.ContentLength > settings.MaxWebhookBytes)
        {
            metrics.WebhookRejected("too_large");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"webhook bodies are limited to {settings.MaxWebhookBytes} bytes");
        }

        var body = await ReadBodyAsync(request, settings.MaxWebhookBytes, cancellationToken);
        if (body is null)
        {
            metrics.WebhookRejected("too_large");
            return Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"webhook bodies are limited to {settings.MaxWebhookBytes} bytes");
        }

        var verification = MagentoWebhookSignature.Verify(webhookOptions.CurrentValue, store, request.Headers[MagentoWebhookSignature.HeaderName], body, time.GetUtcNow());
        if (!verification.IsValid)
        {
            metrics.WebhookRejected("bad_signature");
            return Problem(StatusCodes.Status401Unauthorized, "Signature refused", verification.Reason);
        }

        string orderNumber;
        try
        {
            orderNumber = MagentoOrderDocument.Parse(body).IncrementId;
        }
        catch (MagentoPayloadException ex)
        {
            metrics.WebhookRejected("malformed");
            return Problem(StatusCodes.Status400BadRequest, "Malformed order document", ex.Message);
        }

        var deliveryId = request.Headers[DeliveryIdHeader].ToString();
        if (deliveryId.Length is 0 or > 200)
        {
            metrics.WebhookRejected("missing_delivery_id");
            return Problem(StatusCodes.Status400BadRequest, "Missing delivery id", $"header {DeliveryIdHeader} is required (1 to 200 characters)");
        }

        await ingest.PublishAsync(store, orderNumber, IngestSource.Webhook, body, deliveryId, cancellationToken);
        return Results.Accepted();
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
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
