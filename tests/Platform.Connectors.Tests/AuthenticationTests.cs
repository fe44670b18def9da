using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests;

public sealed class AuthenticationTests
{
    private const string Secret = "s3cr3t-Token-7f2a9c";

    [Fact]
    public async Task The_secret_reaches_the_remote_but_never_a_log_line()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(503, 429, 200, 401, 500));
        var logs = new LogCapture();
        var settings = ConnectorHarness.FastSettings("magento", remote.BaseAddress);
        settings["Platform:Connectors:magento:Retry:MaxRetryAttempts"] = "2";
        settings["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer";
        settings["Platform:Connectors:magento:Authentication:Token"] = Secret;
        await using var harness = ConnectorHarness.Create("magento", settings, logs);

        // Retries, a success, a client error and an exhausted retry: every path that may log.
        for (var i = 0; i < 3; i++)
        {
            (await harness.Client.GetAsync("orders.list", "orders?customer_email=jane.doe@example.com")).Dispose();
        }

        Assert.All(remote.Requests, r => Assert.Equal($"Bearer {Secret}", r.Headers["Authorization"]));
        Assert.Contains(logs.Entries, e => e.Contains("Connector magento orders.list: GET /orders answered 503", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Contains(Secret, StringComparison.Ordinal));
        // Query strings carry search filters, often customer data: only the path is logged.
        Assert.DoesNotContain(logs.Entries, e => e.Contains("jane.doe", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Api_key_goes_in_the_configured_header_and_not_in_logs()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(502, 200));
        var logs = new LogCapture();
        var settings = ConnectorHarness.FastSettings("shopify", remote.BaseAddress);
        settings["Platform:Connectors:shopify:Authentication:Scheme"] = "apikey";
        settings["Platform:Connectors:shopify:Authentication:HeaderName"] = "X-Shopify-Access-Token";
        settings["Platform:Connectors:shopify:Authentication:Key"] = Secret;
        await using var harness = ConnectorHarness.Create("shopify", settings, logs);

        using var response = await harness.Client.GetAsync("products.list", "products");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(remote.Requests, r => Assert.Equal(Secret, r.Headers["X-Shopify-Access-Token"]));
        Assert.DoesNotContain(logs.Entries, e => e.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Basic_credentials_are_sent_encoded()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(200));
        var settings = ConnectorHarness.FastSettings("erp", remote.BaseAddress);
        settings["Platform:Connectors:erp:Authentication:Scheme"] = "Basic";
        settings["Platform:Connectors:erp:Authentication:Username"] = "integration";
        settings["Platform:Connectors:erp:Authentication:Password"] = Secret;
        await using var harness = ConnectorHarness.Create("erp", settings);

        (await harness.Client.GetAsync("customers.list", "customers")).Dispose();

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"integration:{Secret}"));
        Assert.Equal(expected, Assert.Single(remote.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task Hmac_signature_verifies_on_the_remote_for_every_attempt()
    {
        await using var remote = await FakeRemote.StartAsync(async (context, number) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var timestamp = context.Request.Headers["X-Timestamp"].ToString();
            var expected = HmacSigner.Sign(Secret, timestamp, context.Request.Method, context.Request.Path + context.Request.QueryString, Encoding.UTF8.GetBytes(body));
            var fresh = Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp, CultureInfo.InvariantCulture)) < 300;
            context.Response.StatusCode = expected == context.Request.Headers["X-Signature"].ToString() && fresh
                ? (number == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status202Accepted)
                : StatusCodes.Status401Unauthorized;
        });
        var settings = ConnectorHarness.FastSettings("3pl", remote.BaseAddress);
        settings["Platform:Connectors:3pl:Authentication:Scheme"] = "Hmac";
        settings["Platform:Connectors:3pl:Authentication:Secret"] = Secret;
        await using var harness = ConnectorHarness.Create("3pl", settings);

        using var response = await harness.Client.PostAsync("shipments.create", "shipments?warehouse=eu-1", new { order = "100001", lines = 3 });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(2, remote.Hits);
    }

    [Fact]
    public void Hmac_signature_changes_with_every_signed_part()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        var reference = HmacSigner.Sign(Secret, "1700000000", "POST", "/a", body);

        Assert.Matches("^[0-9a-f]{64}$", reference);
        Assert.Equal(reference, HmacSigner.Sign(Secret, "1700000000", "post", "/a", body));
        Assert.NotEqual(reference, HmacSigner.Sign(Secret + "x", "1700000000", "POST", "/a", body));
        Assert.NotEqual(reference, HmacSigner.Sign(Secret, "1700000001", "POST", "/a", body));
        Assert.NotEqual(reference, HmacSigner.Sign(Secret, "1700000000", "PUT", "/a", body));
        Assert.NotEqual(reference, HmacSigner.Sign(Secret, "1700000000", "POST", "/b", body));
        Assert.NotEqual(reference, HmacSigner.Sign(Secret, "1700000000", "POST", "/a", Encoding.UTF8.GetBytes("{ }")));
    }
}
