using System.Text;

namespace Platform.Connectors.Tests;

// Vectors computed independently of this code (HMAC-SHA256 over "<t>." + body with a standard HMAC library).
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_erp_8c31";
    private const long Timestamp = 1795860000;
    private const string VectorSignature = "7b6880a2760251bc7685a5bf6575869b20dc27ea2a2d47b21867e3a116a2d53c";
    private const string EmptyBodySignature = "c245d78c8a8ec1054b21190cf0552c5b27cabbae5782df4a850c716ceafd5cea";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"source":"erp","updates":[{"sku":"SKU-0001","location":"WH-BER","type":"absolute","quantity":12,"sequence":1042}]}""");

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    private static readonly string Header = $"t={Timestamp},v1={VectorSignature}";

    [Fact]
    public void The_known_vector_verifies_and_is_what_create_header_produces()
    {
        var result = WebhookSignature.Verify(Header, Body, Secret, SignedAt.AddSeconds(2));

        Assert.Equal(new WebhookSignatureResult(true, null, "valid", SignedAt), result);
        Assert.Equal(Header, WebhookSignature.CreateHeader(Secret, Timestamp, Body));
        Assert.Equal($"t={Timestamp},v1={EmptyBodySignature}", WebhookSignature.CreateHeader(Secret, Timestamp, []));
        Assert.Equal("X-Platform-Webhook-Signature", WebhookSignature.HeaderName);
    }

    [Fact]
    public void A_header_created_now_round_trips()
    {
        var now = DateTimeOffset.UtcNow;
        var header = WebhookSignature.CreateHeader("another-secret", now.ToUnixTimeSeconds(), Body);

        var result = WebhookSignature.Verify(header, Body, "another-secret", now);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(now.ToUnixTimeSeconds(), result.Timestamp!.Value.ToUnixTimeSeconds());
    }

    [Fact]
    public void A_tampered_body_a_wrong_secret_or_a_refreshed_timestamp_is_a_bad_signature()
    {
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("\"quantity\":12", "\"quantity\":120", StringComparison.Ordinal));

        Assert.Equal(WebhookSignatureFailure.BadSignature, WebhookSignature.Verify(Header, tampered, Secret, SignedAt).Failure);
        Assert.Equal(WebhookSignatureFailure.BadSignature, WebhookSignature.Verify(Header, Body, Secret + "x", SignedAt).Failure);
        var replayed = WebhookSignature.Verify($"t={Timestamp + 900},v1={VectorSignature}", Body, Secret, SignedAt.AddSeconds(900));
        Assert.Equal(WebhookSignatureFailure.BadSignature, replayed.Failure);
        Assert.Equal("the signature does not match the body", replayed.Reason);
        Assert.DoesNotContain(VectorSignature, replayed.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, replayed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_genuine_request_outside_the_window_is_stale()
    {
        Assert.True(WebhookSignature.Verify(Header, Body, Secret, SignedAt.AddMinutes(5)).IsValid);

        var old = WebhookSignature.Verify(Header, Body, Secret, SignedAt.AddMinutes(5).AddSeconds(1));
        Assert.Equal(WebhookSignatureFailure.StaleTimestamp, old.Failure);
        Assert.Equal("the signature timestamp is 301 s old, beyond the 300 s tolerance", old.Reason);
        Assert.Equal(SignedAt, old.Timestamp);

        var future = WebhookSignature.Verify(Header, Body, Secret, SignedAt.AddSeconds(-61), TimeSpan.FromMinutes(1));
        Assert.Equal(WebhookSignatureFailure.StaleTimestamp, future.Failure);
        Assert.Equal("the signature timestamp is 61 s in the future, beyond the 60 s tolerance", future.Reason);
    }

    [Fact]
    public void A_second_signature_for_secret_rotation_is_accepted_in_any_position()
    {
        Assert.True(WebhookSignature.Verify($"t={Timestamp},v1={EmptyBodySignature},v1={VectorSignature}", Body, Secret, SignedAt).IsValid);
        Assert.True(WebhookSignature.Verify($"v1={VectorSignature}, t={Timestamp}, v2=future", Body, Secret, SignedAt).IsValid);
    }

    [Theory]
    [InlineData(null, WebhookSignatureFailure.MissingHeader, "the X-Platform-Webhook-Signature header is missing")]
    [InlineData(" ", WebhookSignatureFailure.MissingHeader, "the X-Platform-Webhook-Signature header is missing")]
    [InlineData("t=1795860000", WebhookSignatureFailure.MalformedHeader, "the X-Platform-Webhook-Signature header is malformed: no v1 signature")]
    [InlineData("v1=" + VectorSignature, WebhookSignatureFailure.MalformedHeader, "the X-Platform-Webhook-Signature header is malformed: t is missing")]
    [InlineData("t=17958600.5,v1=" + VectorSignature, WebhookSignatureFailure.MalformedHeader, "the X-Platform-Webhook-Signature header is malformed: t must be a Unix time in whole seconds")]
    [InlineData("t=1795860000,v1=7b68", WebhookSignatureFailure.MalformedHeader, "the X-Platform-Webhook-Signature header is malformed: v1 must be 64 hexadecimal characters")]
    [InlineData(VectorSignature, WebhookSignatureFailure.MalformedHeader, "the X-Platform-Webhook-Signature header is malformed: expected comma-separated key=value pairs")]
    public void Missing_and_malformed_headers_say_what_is_wrong(string? header, WebhookSignatureFailure failure, string reason)
    {
        var result = WebhookSignature.Verify(header, Body, Secret, SignedAt);

        Assert.Equal(new WebhookSignatureResult(false, failure, reason, null), result);
    }
}
