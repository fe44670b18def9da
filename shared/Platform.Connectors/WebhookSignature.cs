using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Connectors;

public enum WebhookSignatureFailure
{
    MissingHeader,
    MalformedHeader,
    StaleTimestamp,
    BadSignature,
}

// Reason is safe to log and to return to the sender: it never contains the secret or an expected signature.
public sealed record WebhookSignatureResult(bool IsValid, WebhookSignatureFailure? Failure, string Reason, DateTimeOffset? Timestamp)
{
    internal static WebhookSignatureResult Valid(DateTimeOffset timestamp) => new(true, null, "valid", timestamp);

    internal static WebhookSignatureResult Invalid(WebhookSignatureFailure failure, string reason, DateTimeOffset? timestamp = null) =>
        new(false, failure, reason, timestamp);
}

// Webhooks into the platform (storefront orders, ERP/WMS stock, ...) carry
//   X-Platform-Webhook-Signature: t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, "<t>." + raw body)>
// The timestamp is signed with the body, so a captured request cannot be replayed after the tolerance
// window with a fresh t. Several v1 entries are allowed (the sender signs with the old and the new secret
// while a secret is rotated); any one matching is enough. Unknown keys are ignored for the same reason.
public static class WebhookSignature
{
    public const string HeaderName = "X-Platform-Webhook-Signature";

    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const int SignatureBytes = 32;

    // Verify the raw request bytes exactly as received: re-serialising parsed JSON changes them.
    public static WebhookSignatureResult Verify(
        string? header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var window = tolerance ?? DefaultTolerance;
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero, nameof(tolerance));

        if (string.IsNullOrWhiteSpace(header))
        {
            return WebhookSignatureResult.Invalid(WebhookSignatureFailure.MissingHeader, $"the {HeaderName} header is missing");
        }

        if (!TryParse(header, out var unixSeconds, out var signatures, out var problem))
        {
            return WebhookSignatureResult.Invalid(WebhookSignatureFailure.MalformedHeader, $"the {HeaderName} header is malformed: {problem}");
        }

        var timestamp = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        var expected = ComputeSignature(secret, unixSeconds, body);
        var matches = false;
        foreach (var signature in signatures)
        {
            // Every candidate is compared, in constant time, so timing reveals neither which one matched
            // nor how much of it did.
            matches |= CryptographicOperations.FixedTimeEquals(expected, signature);
        }

        if (!matches)
        {
            return WebhookSignatureResult.Invalid(WebhookSignatureFailure.BadSignature, "the signature does not match the body", timestamp);
        }

        // Checked after the signature, so "stale" is only ever said of a genuine request (a clock skew or a
        // replay), never of a forgery.
        var age = now - timestamp;
        if (age.Duration() > window)
        {
            var direction = age > TimeSpan.Zero ? "old" : "in the future";
            return WebhookSignatureResult.Invalid(
                WebhookSignatureFailure.StaleTimestamp,
                $"the signature timestamp is {age.Duration().TotalSeconds:0} s {direction}, beyond the {window.TotalSeconds:0} s tolerance",
                timestamp);
        }

        return WebhookSignatureResult.Valid(timestamp);
    }

    // For senders and tests: the header value a verifier with the same secret accepts.
    public static string CreateHeader(string secret, long unixSeconds, ReadOnlySpan<byte> body) =>
        $"t={unixSeconds.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(ComputeSignature(secret, unixSeconds, body))}";

    private static byte[] ComputeSignature(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(prefix);
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static bool TryParse(string header, out long unixSeconds, out List<byte[]> signatures, out string problem)
    {
        unixSeconds = 0;
        signatures = [];
        problem = "";
        var timestampSeen = false;
        foreach (var rawPart in header.Split(','))
        {
            var part = rawPart.Trim();
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                problem = "expected comma-separated key=value pairs";
                return false;
            }

            var key = part[..equals];
            var value = part[(equals + 1)..];
            switch (key)
            {
                case "t":
                    if (timestampSeen)
                    {
                        problem = "t appears more than once";
                        return false;
                    }

                    // Digits only: no sign, no fraction, no exponent. Bounded so FromUnixTimeSeconds cannot throw.
                    if (value.Length is 0 or > 11 || !value.All(char.IsAsciiDigit)
                        || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out unixSeconds)
                        || unixSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                    {
                        problem = "t must be a Unix time in whole seconds";
                        return false;
                    }

                    timestampSeen = true;
                    break;
                case "v1":
                    if (value.Length != SignatureBytes * 2 || !value.All(char.IsAsciiHexDigit))
                    {
                        problem = $"v1 must be {SignatureBytes * 2} hexadecimal characters";
                        return false;
                    }

                    signatures.Add(Convert.FromHexString(value));
                    break;
            }
        }

        if (!timestampSeen)
        {
            problem = "t is missing";
            return false;
        }

        if (signatures.Count == 0)
        {
            problem = "no v1 signature";
            return false;
        }

        return true;
    }
}
