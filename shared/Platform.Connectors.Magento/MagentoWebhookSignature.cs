namespace Platform.Connectors.Magento;

public enum WebhookVerificationFailure
{
    MissingHeader,
    MalformedHeader,
    StaleTimestamp,
    BadSignature,
    UnknownStore,
}

// Reason is safe to log and to return to the sender: it never contains the secret or an expected signature.
public sealed record WebhookVerificationResult(bool IsValid, WebhookVerificationFailure? Failure, string Reason, DateTimeOffset? Timestamp)
{
    internal static WebhookVerificationResult Invalid(WebhookVerificationFailure failure, string reason, DateTimeOffset? timestamp = null) =>
        new(false, failure, reason, timestamp);
}

// Order webhooks from the storefront carry the platform's webhook signature (see WebhookSignature in
// Platform.Connectors for the scheme); this keeps the Magento-facing names and adds the per-store secret lookup.
public static class MagentoWebhookSignature
{
    public const string HeaderName = WebhookSignature.HeaderName;

    public static readonly TimeSpan DefaultTolerance = WebhookSignature.DefaultTolerance;

    // Verify the raw request bytes exactly as received: re-serialising parsed JSON changes them.
    public static WebhookVerificationResult Verify(
        string? header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now, TimeSpan? tolerance = null) =>
        ToMagento(WebhookSignature.Verify(header, body, secret, now, tolerance));

    // With the secret configured for the store the webhook says it comes from.
    public static WebhookVerificationResult Verify(
        MagentoWebhookOptions options, string storeCode, string? header, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetSecret(storeCode, out var secret))
        {
            return WebhookVerificationResult.Invalid(
                WebhookVerificationFailure.UnknownStore, $"no webhook secret is configured for store '{storeCode}'");
        }

        return Verify(header, body, secret, now, options.Tolerance);
    }

    // For senders and tests: the header value a verifier with the same secret accepts.
    public static string CreateHeader(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        WebhookSignature.CreateHeader(secret, unixSeconds, body);

    private static WebhookVerificationResult ToMagento(WebhookSignatureResult result) => new(
        result.IsValid,
        result.Failure switch
        {
            null => null,
            WebhookSignatureFailure.MissingHeader => WebhookVerificationFailure.MissingHeader,
            WebhookSignatureFailure.MalformedHeader => WebhookVerificationFailure.MalformedHeader,
            WebhookSignatureFailure.StaleTimestamp => WebhookVerificationFailure.StaleTimestamp,
            WebhookSignatureFailure.BadSignature => WebhookVerificationFailure.BadSignature,
            _ => throw new ArgumentOutOfRangeException(nameof(result), result.Failure, "unknown webhook signature failure"),
        },
        result.Reason,
        result.Timestamp);
}
