using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Platform.Sandbox.Tests;

public sealed class MagentoWebhookTests
{
    private const string Secret = "test-webhook-secret";
    private const string SignatureHeader = "X-Platform-Webhook-Signature";

    private static Dictionary<string, string?> WebhooksTo(WebhookReceiver receiver, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sandbox:Magento:WebhookSecret"] = Secret,
            ["Sandbox:Magento:Webhooks:Url"] = receiver.Url,
        };
        foreach (var (key, value) in more)
        {
            settings["Sandbox:Magento:Webhooks:" + key] = value;
        }

        return settings;
    }

    /// <summary>The receiving side as the README documents it, written independently of the sandbox's signer.</summary>
    private static bool SignatureIsValid(ReceivedWebhook webhook, string secret)
    {
        var parts = webhook.Header(SignatureHeader).Split(',').Select(part => part.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        var signedPayload = Encoding.UTF8.GetBytes(parts["t"] + ".").Concat(webhook.Body).ToArray();
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = Convert.ToHexString(hmac.ComputeHash(signedPayload)).ToLowerInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts["v1"]));
    }

    private static async Task WaitForDeliveriesAsync(SandboxHost sandbox)
    {
        await SalesTestKit.Eventually(async () => (await WebhookState(sandbox)).GetProperty("pending").GetInt64() == 0, "all webhooks delivered");
    }

    private static async Task<JsonElement> WebhookState(SandboxHost sandbox) =>
        await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/magento/webhooks");

    [Fact]
    public async Task Each_order_change_is_posted_signed_with_the_store_secret_and_verifiable_with_the_documented_algorithm()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var clock = new TestClock(TestClock.Start);
        await using var sandbox = await SalesTestKit.StartWithClockAsync(clock, WebhooksTo(receiver));

        var order = await sandbox.CreateOrderAsync();
        await WaitForDeliveriesAsync(sandbox);
        clock.Advance(TimeSpan.FromSeconds(5));
        await sandbox.ChangeOrderAsync(order.EntityId(), "invoice");
        await WaitForDeliveriesAsync(sandbox);

        var received = receiver.Received.OrderBy(webhook => webhook.Number).ToList();
        Assert.Equal(2, received.Count);
        Assert.All(received, webhook => Assert.True(SignatureIsValid(webhook, Secret), "signature must verify"));
        Assert.All(received, webhook => Assert.False(SignatureIsValid(webhook, "another-secret"), "a wrong secret must not verify"));
        Assert.All(received, webhook => Assert.Equal("default", webhook.Header("X-Platform-Store")));
        Assert.All(received, webhook => Assert.StartsWith("application/json", webhook.Header("Content-Type"), StringComparison.Ordinal));
        Assert.Equal(["order.created", "order.updated"], received.Select(webhook => webhook.Header("X-Platform-Event")));
        Assert.NotEqual(received[0].Header("X-Platform-Webhook-Id"), received[1].Header("X-Platform-Webhook-Id"));
        Assert.Equal(TestClock.Start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), received[0].Header(SignatureHeader)[2..12]);

        Assert.Equal(order.EntityId(), received[0].Order.EntityId());
        Assert.Equal("pending", received[0].Order.Text("status"));
        Assert.Equal("processing", received[1].Order.Text("status"));
        var (_, current) = await sandbox.MagentoGetAsync($"orders/{order.EntityId()}");
        Assert.Equal(current.GetRawText(), received[1].Order.GetRawText());
        Assert.Equal(2, sandbox.Services.GetCounters().Get("magento.webhooks.sent", "default:000000001"));
    }

    [Fact]
    public async Task A_tampered_body_or_timestamp_fails_verification()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver));
        await sandbox.CreateOrderAsync();
        await WaitForDeliveriesAsync(sandbox);
        var original = receiver.Received.Single();

        var tamperedBody = original with { Body = Encoding.UTF8.GetBytes(original.BodyText.Replace("\"pending\"", "\"complete\"", StringComparison.Ordinal)) };
        var signature = original.Header(SignatureHeader);
        var timestamp = long.Parse(signature[2..signature.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var tamperedTime = original with
        {
            Headers = new Dictionary<string, string>(original.Headers, StringComparer.OrdinalIgnoreCase)
            {
                [SignatureHeader] = signature.Replace($"t={timestamp}", $"t={timestamp + 1}", StringComparison.Ordinal),
            },
        };

        Assert.True(SignatureIsValid(original, Secret));
        Assert.False(SignatureIsValid(tamperedBody, Secret));
        Assert.False(SignatureIsValid(tamperedTime, Secret));
    }

    [Fact]
    public async Task A_store_can_have_its_own_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = WebhooksTo(receiver);
        settings["Sandbox:Magento:StoreViews:2:Id"] = "2";
        settings["Sandbox:Magento:StoreViews:2:Code"] = "de";
        settings["Sandbox:Magento:StoreViews:2:Name"] = "Deutsch";
        settings["Sandbox:Magento:WebhookSecrets:de"] = "german-secret";
        await using var sandbox = await SandboxHost.StartAsync(settings);

        await sandbox.CreateOrderAsync(store: "de");
        await WaitForDeliveriesAsync(sandbox);

        var webhook = receiver.Received.Single();
        Assert.Equal("de", webhook.Header("X-Platform-Store"));
        Assert.True(SignatureIsValid(webhook, "german-secret"));
        Assert.False(SignatureIsValid(webhook, Secret));
    }

    [Fact]
    public async Task With_duplicate_rate_one_every_event_arrives_twice_identically_and_is_counted()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver, ("DuplicateRate", "1")));

        await sandbox.CreateOrderAsync();
        await sandbox.CreateOrderAsync();
        await WaitForDeliveriesAsync(sandbox);

        var byId = receiver.Received.GroupBy(webhook => webhook.Header("X-Platform-Webhook-Id")).ToList();
        Assert.Equal(2, byId.Count);
        Assert.All(byId, copies =>
        {
            Assert.Equal(2, copies.Count());
            Assert.Single(copies.Select(copy => copy.Header(SignatureHeader)).Distinct());
            Assert.Single(copies.Select(copy => copy.BodyText).Distinct());
        });
        var counters = sandbox.Services.GetCounters();
        Assert.Equal(2, counters.Get("magento.webhooks.duplicated"));
        Assert.Equal(4, counters.Get("magento.webhooks.sent"));
    }

    [Fact]
    public async Task With_drop_rate_one_nothing_is_sent_but_the_changed_since_poll_still_finds_the_orders()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver, ("DropRate", "1")));

        var order = await sandbox.CreateOrderAsync();
        await sandbox.ChangeOrderAsync(order.EntityId(), "cancel");
        await WaitForDeliveriesAsync(sandbox);
        await Task.Delay(200);

        Assert.Empty(receiver.Received);
        Assert.Equal(2, sandbox.Services.GetCounters().Get("magento.webhooks.dropped", "default:000000001"));
        var (_, polled) = await sandbox.MagentoGetAsync(
            $"orders?searchCriteria[filter_groups][0][filters][0][field]=updated_at&searchCriteria[filter_groups][0][filters][0][value]={Uri.EscapeDataString(order.Text("created_at"))}&searchCriteria[filter_groups][0][filters][0][condition_type]=gteq");
        Assert.Equal("canceled", polled.GetProperty("items")[0].Text("status"));
    }

    [Fact]
    public async Task Drop_and_duplicate_rates_hit_about_their_share_of_events()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver, ("DropRate", "0.2"), ("DuplicateRate", "0.3")));

        using var generated = await sandbox.Client.PostAsJsonAsync("_sandbox/magento/stores/default/orders/generate", new { count = 300, invoice = false });
        generated.EnsureSuccessStatusCode();
        await WaitForDeliveriesAsync(sandbox);

        var counters = sandbox.Services.GetCounters();
        var dropped = counters.Get("magento.webhooks.dropped");
        var duplicated = counters.Get("magento.webhooks.duplicated");
        // ±4.5 standard deviations: a correct knob passes for any seed, a missing one fails.
        Assert.InRange(dropped, 60 - 31, 60 + 31);
        Assert.InRange(duplicated, 72 - 33, 72 + 33);
        Assert.Equal(300 - dropped, receiver.Received.Select(webhook => webhook.Header("X-Platform-Webhook-Id")).Distinct().Count());
        Assert.Equal(300 - dropped + duplicated, receiver.Received.Count);
        Assert.Equal(receiver.Received.Count, counters.Get("magento.webhooks.sent"));
    }

    [Fact]
    public async Task An_event_held_back_arrives_after_a_later_event_of_the_same_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var clock = new TestClock(TestClock.Start);
        await using var sandbox = await SalesTestKit.StartWithClockAsync(clock, WebhooksTo(receiver, ("OutOfOrderRate", "1"), ("OutOfOrderDelayMs", "1500")));

        var order = await sandbox.CreateOrderAsync();
        using (var put = await sandbox.Client.PutAsJsonAsync("_sandbox/magento/webhooks", new { url = receiver.Url }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        await sandbox.ChangeOrderAsync(order.EntityId(), "invoice");
        await WaitForDeliveriesAsync(sandbox);

        var arrived = receiver.Received.OrderBy(webhook => webhook.Number).Select(webhook => webhook.Header("X-Platform-Event")).ToList();
        Assert.Equal(["order.updated", "order.created"], arrived);
        Assert.Equal(1, sandbox.Services.GetCounters().Get("magento.webhooks.delayed"));
    }

    [Fact]
    public async Task A_failing_receiver_gets_retries_under_the_same_webhook_id_then_the_event_is_given_up()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = number => number == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver, ("MaxAttempts", "2")));

        await sandbox.CreateOrderAsync();
        await WaitForDeliveriesAsync(sandbox);
        var attempts = receiver.Received.OrderBy(webhook => webhook.Number).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].Header("X-Platform-Webhook-Id"), attempts[1].Header("X-Platform-Webhook-Id"));
        Assert.All(attempts, attempt => Assert.True(SignatureIsValid(attempt, Secret)));

        receiver.Answer = _ => StatusCodes.Status500InternalServerError;
        await sandbox.CreateOrderAsync();
        await WaitForDeliveriesAsync(sandbox);

        var counters = sandbox.Services.GetCounters();
        Assert.Equal(1, counters.Get("magento.webhooks.sent"));
        Assert.Equal(2, counters.Get("magento.webhooks.retried"));
        Assert.Equal(1, counters.Get("magento.webhooks.failed", "default:000000002"));
        Assert.Equal(4, receiver.Received.Count);
    }

    [Fact]
    public async Task Without_a_url_no_webhook_is_sent_and_the_url_can_be_set_at_run_time()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Magento:WebhookSecret"] = Secret });

        await sandbox.CreateOrderAsync();
        using (var put = await sandbox.Client.PutAsJsonAsync("_sandbox/magento/webhooks", new { url = receiver.Url, maxAttempts = 5 }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var state = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(receiver.Url, state.GetProperty("settings").Text("url"));
            Assert.Equal(4, state.GetProperty("maxConcurrency").GetInt32());
        }

        await sandbox.CreateOrderAsync();
        await WaitForDeliveriesAsync(sandbox);

        Assert.Equal("000000002", receiver.Received.Single().Order.Text("increment_id"));
    }

    [Theory]
    [InlineData("""{"url": "ftp://example.com/hook"}""", "url")]
    [InlineData("""{"dropRate": 2}""", "dropRate")]
    [InlineData("""{"maxAttempts": 0}""", "maxAttempts")]
    [InlineData("""{"duplicatRate": 0.5}""", "duplicatRate")]
    public async Task Invalid_webhook_settings_are_refused(string json, string named)
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Magento:WebhookSecret"] = Secret });

        using var response = await sandbox.Client.PutAsync("_sandbox/magento/webhooks", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhooks_turned_on_without_a_configured_secret_are_signed_with_the_one_made_for_the_run()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Magento:WebhookSecret"] = "" });

        using var response = await sandbox.Client.PutAsJsonAsync("_sandbox/magento/webhooks", new { url = "http://127.0.0.1:9/hooks" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var credentials = await sandbox.Client.GetFromJsonAsync<Dictionary<string, string>>("_sandbox/credentials");
        Assert.Matches("^[0-9a-f]{40}$", credentials!["Sandbox:Magento:WebhookSecret"]);
    }
}
