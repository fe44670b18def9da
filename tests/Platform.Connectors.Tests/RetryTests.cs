using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests;

public sealed class RetryTests
{
    [Fact]
    public async Task Retries_503_and_returns_the_success_that_follows()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(503, 503, 200));
        await using var harness = ConnectorHarness.Create("erp", ConnectorHarness.FastSettings("erp", remote.BaseAddress));

        using var response = await harness.Client.GetAsync("orders.list", "orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, remote.Hits);
    }

    [Fact]
    public async Task Honours_Retry_After_on_429_before_retrying()
    {
        await using var remote = await FakeRemote.StartAsync((context, number) =>
        {
            if (number == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
            }

            return Task.CompletedTask;
        });
        // Backoff alone would retry after ~10 ms; only the header can explain a one-second wait.
        await using var harness = ConnectorHarness.Create("shopify", ConnectorHarness.FastSettings("shopify", remote.BaseAddress));

        using var response = await harness.Client.GetAsync("products.list", "products");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var arrivals = remote.Requests.OrderBy(r => r.Number).Select(r => r.Timestamp).ToList();
        Assert.Equal(2, arrivals.Count);
        var gap = Stopwatch.GetElapsedTime(arrivals[0], arrivals[1]);
        Assert.True(gap >= TimeSpan.FromMilliseconds(900), $"retried after {gap.TotalMilliseconds:F0} ms, before the 1 s Retry-After");
    }

    [Fact]
    public async Task Honours_Retry_After_on_503_given_as_a_date()
    {
        await using var remote = await FakeRemote.StartAsync((context, number) =>
        {
            if (number == 1)
            {
                context.Response.StatusCode = 503;
                // HTTP dates have whole-second precision: 3 s ahead guarantees at least ~2 s of wait.
                context.Response.Headers.RetryAfter = DateTimeOffset.UtcNow.AddSeconds(3).ToString("R");
            }

            return Task.CompletedTask;
        });
        await using var harness = ConnectorHarness.Create("erp", ConnectorHarness.FastSettings("erp", remote.BaseAddress));

        using var response = await harness.Client.GetAsync("orders.list", "orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var arrivals = remote.Requests.OrderBy(r => r.Number).Select(r => r.Timestamp).ToList();
        var gap = Stopwatch.GetElapsedTime(arrivals[0], arrivals[1]);
        Assert.True(gap >= TimeSpan.FromMilliseconds(1500), $"retried after {gap.TotalMilliseconds:F0} ms, before the Retry-After date");
    }

    [Fact]
    public async Task A_hostile_Retry_After_is_cut_down_to_MaxRetryAfter()
    {
        await using var remote = await FakeRemote.StartAsync((context, number) =>
        {
            if (number == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "86400";
            }

            return Task.CompletedTask;
        });
        var settings = ConnectorHarness.FastSettings("crm", remote.BaseAddress);
        settings["Platform:Connectors:crm:Retry:MaxRetryAfter"] = "00:00:00.200";
        await using var harness = ConnectorHarness.Create("crm", settings);

        var watch = Stopwatch.StartNew();
        using var response = await harness.Client.GetAsync("contacts.get", "contacts/1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, remote.Hits);
        // A loose bound: obeying the header would take a day, and the total timeout is 20 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Does_not_retry_400()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(400, 200));
        await using var harness = ConnectorHarness.Create("pim", ConnectorHarness.FastSettings("pim", remote.BaseAddress));

        using var response = await harness.Client.GetAsync("products.get", "products/sku-1");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(1, remote.Hits);
        Assert.Empty(harness.Metrics.Get("platform.connector.retries"));
    }

    [Fact]
    public async Task Attempt_timeout_triggers_a_retry()
    {
        await using var remote = await FakeRemote.StartAsync(async (context, number) =>
        {
            if (number == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
            }
        });
        var settings = ConnectorHarness.FastSettings("3pl", remote.BaseAddress);
        settings["Platform:Connectors:3pl:AttemptTimeout"] = "00:00:00.300";
        await using var harness = ConnectorHarness.Create("3pl", settings);

        using var response = await harness.Client.GetAsync("shipments.list", "shipments");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, remote.Hits);
        var retry = Assert.Single(harness.Metrics.Get("platform.connector.retries"));
        Assert.Equal("timeout", retry.Tag("outcome"));
    }

    [Fact]
    public async Task Total_timeout_ends_the_call_with_a_timeout_failure()
    {
        await using var remote = await FakeRemote.StartAsync((context, _) => Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted));
        var settings = ConnectorHarness.FastSettings("erp", remote.BaseAddress);
        settings["Platform:Connectors:erp:TotalTimeout"] = "00:00:01";
        settings["Platform:Connectors:erp:AttemptTimeout"] = "00:00:00.300";
        settings["Platform:Connectors:erp:Retry:MaxRetryAfter"] = "00:00:00.500";
        settings["Platform:Connectors:erp:Retry:MaxRetryAttempts"] = "50";
        await using var harness = ConnectorHarness.Create("erp", settings);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetAsync("orders.export", "orders"));

        Assert.Equal(ConnectorFailure.Timeout, failure.Failure);
        Assert.True(failure.IsTransient);
        Assert.Contains("erp orders.export", failure.Message);
        var request = Assert.Single(harness.Metrics.Get("platform.connector.requests"));
        Assert.Equal("timeout", request.Tag("outcome"));
    }

    [Fact]
    public async Task A_request_marked_not_retryable_is_sent_once()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(503, 200));
        await using var harness = ConnectorHarness.Create("erp", ConnectorHarness.FastSettings("erp", remote.BaseAddress));

        using var response = await harness.Client.PostAsync("orders.create", "orders", new { id = "100001" }, retryable: false);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, remote.Hits);
    }

    [Fact]
    public async Task Retried_post_sends_the_same_body_every_attempt()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(502, 200));
        await using var harness = ConnectorHarness.Create("erp", ConnectorHarness.FastSettings("erp", remote.BaseAddress));

        using var response = await harness.Client.PostAsync("orders.create", "orders", new { id = "100001" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bodies = remote.Requests.Select(r => r.Body).ToList();
        Assert.Equal(2, bodies.Count);
        Assert.All(bodies, body => Assert.Equal("""{"id":"100001"}""", body));
    }

    [Fact]
    public async Task Unreachable_remote_fails_as_a_transport_error()
    {
        var closedPort = FreeLoopbackPort();
        var settings = ConnectorHarness.FastSettings("crm", $"http://127.0.0.1:{closedPort}/");
        settings["Platform:Connectors:crm:Retry:MaxRetryAttempts"] = "1";
        await using var harness = ConnectorHarness.Create("crm", settings);

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetAsync("contacts.get", "contacts/1"));

        Assert.Equal(ConnectorFailure.TransportError, failure.Failure);
        Assert.IsType<HttpRequestException>(failure.InnerException, exactMatch: false);
        Assert.Equal(2, harness.Metrics.Get("platform.connector.request.attempts").Count(a => a.Tag("outcome") == "transport_error"));
        Assert.Equal("transport_error", Assert.Single(harness.Metrics.Get("platform.connector.requests")).Tag("outcome"));
    }

    [Fact]
    public async Task Caller_cancellation_is_not_wrapped_and_counted_as_cancelled()
    {
        await using var remote = await FakeRemote.StartAsync((context, _) => Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted));
        await using var harness = ConnectorHarness.Create("pim", ConnectorHarness.FastSettings("pim", remote.BaseAddress));
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Client.GetAsync("products.list", "products", cancellation.Token));

        Assert.Equal("cancelled", Assert.Single(harness.Metrics.Get("platform.connector.requests")).Tag("outcome"));
    }

    [Fact]
    public async Task Base_address_without_trailing_slash_keeps_its_path()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(200));
        await using var harness = ConnectorHarness.Create("magento", ConnectorHarness.FastSettings("magento", remote.BaseAddress + "/rest/V1"));

        using var response = await harness.Client.GetAsync("orders.list", "orders?searchCriteria[pageSize]=10");

        Assert.Equal("/rest/V1/orders?searchCriteria[pageSize]=10", Uri.UnescapeDataString(Assert.Single(remote.Requests).PathAndQuery));
    }

    [Fact]
    public async Task GetJsonAsync_turns_a_non_success_status_into_a_permanent_connector_exception()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(404));
        await using var harness = ConnectorHarness.Create("pim", ConnectorHarness.FastSettings("pim", remote.BaseAddress));

        var failure = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetJsonAsync<Dictionary<string, string>>("products.get", "products/x"));

        Assert.Equal(HttpStatusCode.NotFound, failure.StatusCode);
        Assert.Null(failure.Failure);
        Assert.False(failure.IsTransient);
        Assert.Equal("pim", failure.System);
    }

    [Fact]
    public async Task GetJsonAsync_reads_the_body()
    {
        await using var remote = await FakeRemote.StartAsync((context, _) => context.Response.WriteAsJsonAsync(new { sku = "sku-1", name = "Chair" }));
        await using var harness = ConnectorHarness.Create("pim", ConnectorHarness.FastSettings("pim", remote.BaseAddress));

        var product = await harness.Client.GetJsonAsync<Dictionary<string, string>>("products.get", "products/sku-1");

        Assert.Equal("Chair", product["name"]);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
