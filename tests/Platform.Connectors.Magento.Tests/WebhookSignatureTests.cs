using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Platform.Connectors.Magento.Tests;

// Vectors computed independently of this code (HMAC-SHA256 over "<t>." + body with a standard HMAC library).
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_default_5d2f";
    private const long Timestamp = 1709806522;
    private const string VectorSignature = "a00ab2a2445d6aa4ff7a52d2d2ba041e68c6fa92c7b98ffd6f47fa8c08d5c806";
    private const string EmptyBodySignature = "f20dd4734ffd9bc98c18fc4a071347959819bf8db67bc9badbdb921a0571e369";
    private const string Utf8Secret = "whsec_uk_91ab";
    private const string Utf8Signature = "93a47c93e654489370050a9446ed6e7899817c1b84cd3d72ca95b29760b4b7d5";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes(
        """{"event":"order.updated","store":"default","entity_id":3,"increment_id":"000000003"}""");

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    private static WebhookVerificationResult Verify(string? header, byte[]? body = null, DateTimeOffset? now = null, TimeSpan? tolerance = null) =>
        MagentoWebhookSignature.Verify(header, body ?? Body, Secret, now ?? SignedAt.AddSeconds(3), tolerance);

    [Fact]
    public void Known_vectors_verify()
    {
        var result = Verify($"t={Timestamp},v1={VectorSignature}");
        Assert.True(result.IsValid, result.Reason);
        Assert.Null(result.Failure);
        Assert.Equal(SignedAt, result.Timestamp);

        Assert.True(Verify($"t={Timestamp},v1={EmptyBodySignature}", []).IsValid);
        Assert.True(MagentoWebhookSignature.Verify(
            $"t={Timestamp},v1={Utf8Signature}", Encoding.UTF8.GetBytes("{\"name\":\"Zoë\"}"), Utf8Secret, SignedAt).IsValid);
    }

    [Fact]
    public void Created_header_matches_the_vector()
    {
        Assert.Equal($"t={Timestamp},v1={VectorSignature}", MagentoWebhookSignature.CreateHeader(Secret, Timestamp, Body));
    }

    [Fact]
    public void Spacing_upper_case_hex_unknown_keys_and_a_second_signature_are_accepted()
    {
        Assert.True(Verify($" t={Timestamp} , v1={VectorSignature.ToUpperInvariant()}").IsValid);
        Assert.True(Verify($"t={Timestamp},v0=legacy,v1={VectorSignature}").IsValid);
        // While a secret is rotated the sender signs with both; one match is enough, in either position.
        Assert.True(Verify($"t={Timestamp},v1={EmptyBodySignature},v1={VectorSignature}").IsValid);
        Assert.True(Verify($"v1={VectorSignature},t={Timestamp}").IsValid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_header(string? header)
    {
        var result = Verify(header);

        Assert.False(result.IsValid);
        Assert.Equal(WebhookVerificationFailure.MissingHeader, result.Failure);
        Assert.Equal("the X-Platform-Webhook-Signature header is missing", result.Reason);
    }

    [Theory]
    [InlineData("v1=" + VectorSignature, "t is missing")]
    [InlineData("t=1709806522", "no v1 signature")]
    [InlineData("t=1709806522,v1=abc", "v1 must be 64 hexadecimal characters")]
    [InlineData("t=1709806522,v1=" + "zz" + "0ab2a2445d6aa4ff7a52d2d2ba041e68c6fa92c7b98ffd6f47fa8c08d5c806", "v1 must be 64 hexadecimal characters")]
    [InlineData("t=-1709806522,v1=" + VectorSignature, "t must be a Unix time in whole seconds")]
    [InlineData("t=1709806522.5,v1=" + VectorSignature, "t must be a Unix time in whole seconds")]
    [InlineData("t=99999999999999999999,v1=" + VectorSignature, "t must be a Unix time in whole seconds")]
    [InlineData("t=1709806522,t=1709806522,v1=" + VectorSignature, "t appears more than once")]
    [InlineData("sha256=" + VectorSignature, "t is missing")]
    [InlineData(VectorSignature, "expected comma-separated key=value pairs")]
    public void Malformed_header(string header, string problem)
    {
        var result = Verify(header);

        Assert.False(result.IsValid);
        Assert.Equal(WebhookVerificationFailure.MalformedHeader, result.Failure);
        Assert.Equal($"the X-Platform-Webhook-Signature header is malformed: {problem}", result.Reason);
    }

    [Fact]
    public void Tampered_body_wrong_secret_or_moved_timestamp_is_a_bad_signature()
    {
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Body).Replace("\"entity_id\":3", "\"entity_id\":4", StringComparison.Ordinal));
        Assert.Equal(WebhookVerificationFailure.BadSignature, Verify($"t={Timestamp},v1={VectorSignature}", tampered).Failure);
        Assert.Equal(WebhookVerificationFailure.BadSignature,
            MagentoWebhookSignature.Verify($"t={Timestamp},v1={VectorSignature}", Body, Secret + "x", SignedAt).Failure);

        // A replayer refreshing t to pass the window breaks the signature, since t is signed too.
        var replayed = Verify($"t={Timestamp + 600},v1={VectorSignature}", now: SignedAt.AddSeconds(600));
        Assert.Equal(WebhookVerificationFailure.BadSignature, replayed.Failure);
        Assert.Equal("the signature does not match the body", replayed.Reason);
    }

    [Fact]
    public void Genuine_but_stale_or_future_requests_are_refused_outside_the_window()
    {
        var header = $"t={Timestamp},v1={VectorSignature}";

        Assert.True(Verify(header, now: SignedAt.AddMinutes(5)).IsValid);
        Assert.True(Verify(header, now: SignedAt.AddMinutes(-5)).IsValid);

        var old = Verify(header, now: SignedAt.AddMinutes(5).AddSeconds(1));
        Assert.Equal(WebhookVerificationFailure.StaleTimestamp, old.Failure);
        Assert.Equal("the signature timestamp is 301 s old, beyond the 300 s tolerance", old.Reason);

        var future = Verify(header, now: SignedAt.AddMinutes(-10));
        Assert.Equal(WebhookVerificationFailure.StaleTimestamp, future.Failure);
        Assert.Contains("in the future", future.Reason, StringComparison.Ordinal);

        Assert.Equal(WebhookVerificationFailure.StaleTimestamp,
            Verify(header, now: SignedAt.AddSeconds(31), tolerance: TimeSpan.FromSeconds(30)).Failure);
    }

    [Fact]
    public void Reasons_never_reveal_the_expected_signature_or_the_secret()
    {
        var result = Verify($"t={Timestamp},v1={EmptyBodySignature}");

        Assert.Equal(WebhookVerificationFailure.BadSignature, result.Failure);
        Assert.DoesNotContain(VectorSignature, result.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_magento_names_give_the_same_answers_as_the_platform_signature()
    {
        var headers = new[]
        {
            $"t={Timestamp},v1={VectorSignature}", $"t={Timestamp},v1={EmptyBodySignature}", "t=1", "", $"t={Timestamp}",
        };
        foreach (var header in headers)
        {
            foreach (var now in new[] { SignedAt, SignedAt.AddHours(1) })
            {
                var magento = MagentoWebhookSignature.Verify(header, Body, Secret, now);
                var platform = Platform.Connectors.WebhookSignature.Verify(header, Body, Secret, now);

                Assert.Equal((platform.IsValid, platform.Failure?.ToString(), platform.Reason, platform.Timestamp),
                    (magento.IsValid, magento.Failure?.ToString(), magento.Reason, magento.Timestamp));
            }
        }

        Assert.Equal(Platform.Connectors.WebhookSignature.CreateHeader(Secret, Timestamp, Body), MagentoWebhookSignature.CreateHeader(Secret, Timestamp, Body));
    }

    [Fact]
    public void Secrets_per_store_come_from_configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Connectors:magento:BaseAddress"] = "http://127.0.0.1:9/magento/",
            ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
            ["Platform:Connectors:magento:Authentication:Token"] = "t",
            ["Platform:Connectors:magento:Webhooks:Secrets:default"] = Secret,
            ["Platform:Connectors:magento:Webhooks:Secrets:uk_en"] = Utf8Secret,
            ["Platform:Connectors:magento:Webhooks:Tolerance"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddMagentoConnector(configuration);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<MagentoWebhookOptions>();
        var header = $"t={Timestamp},v1={VectorSignature}";

        Assert.True(MagentoWebhookSignature.Verify(options, "default", header, Body, SignedAt.AddSeconds(59)).IsValid);
        Assert.Equal(WebhookVerificationFailure.StaleTimestamp,
            MagentoWebhookSignature.Verify(options, "default", header, Body, SignedAt.AddSeconds(61)).Failure);
        Assert.Equal(WebhookVerificationFailure.BadSignature,
            MagentoWebhookSignature.Verify(options, "uk_en", header, Body, SignedAt).Failure);
        var unknown = MagentoWebhookSignature.Verify(options, "fr_fr", header, Body, SignedAt);
        Assert.Equal(WebhookVerificationFailure.UnknownStore, unknown.Failure);
        Assert.Equal("no webhook secret is configured for store 'fr_fr'", unknown.Reason);
    }

    [Fact]
    public void Invalid_webhook_settings_are_reported_with_their_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Connectors:magento:BaseAddress"] = "http://127.0.0.1:9/magento/",
            ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
            ["Platform:Connectors:magento:Authentication:Token"] = "t",
            ["Platform:Connectors:magento:Webhooks:Tolerance"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddMagentoConnector(configuration);
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<MagentoWebhookOptions>());

        Assert.Contains("Platform:Connectors:magento:Webhooks:Tolerance must be greater than 0 and at most 1 hour", failure.Failures);
    }
}
