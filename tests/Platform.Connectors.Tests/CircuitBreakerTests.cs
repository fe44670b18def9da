using System.Net;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests;

public sealed class CircuitBreakerTests
{
    [Fact]
    public async Task Opens_after_repeated_failures_then_fails_fast_without_calling_the_remote()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(500));
        var settings = ConnectorHarness.FastSettings("erp", remote.BaseAddress);
        settings["Platform:Connectors:erp:Retry:MaxRetryAttempts"] = "0";
        settings["Platform:Connectors:erp:CircuitBreaker:FailureRatio"] = "0.5";
        settings["Platform:Connectors:erp:CircuitBreaker:MinimumThroughput"] = "4";
        await using var harness = ConnectorHarness.Create("erp", settings);

        for (var i = 0; i < 4; i++)
        {
            using var response = await harness.Client.GetAsync("stock.list", "stock");
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        var hitsWhenOpened = remote.Hits;
        var failure = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetAsync("stock.list", "stock"));
        await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetAsync("stock.list", "stock"));

        Assert.Equal(4, hitsWhenOpened);
        Assert.Equal(hitsWhenOpened, remote.Hits);
        Assert.Equal(ConnectorFailure.CircuitOpen, failure.Failure);
        Assert.True(failure.IsTransient);
        Assert.Equal(2, harness.Metrics.Get("platform.connector.requests").Count(r => r.Tag("outcome") == "circuit_open"));
        var state = harness.Metrics.Get("platform.connector.circuit.state").Last(m => m.Tag("system") == "erp");
        Assert.Equal(2, state.Value);
    }

    [Fact]
    public async Task Half_opens_after_the_break_and_closes_on_success()
    {
        var failing = true;
        await using var remote = await FakeRemote.StartAsync(async (context, _) =>
        {
            if (Volatile.Read(ref failing))
            {
                context.Response.StatusCode = 503;
                return;
            }

            // A slow probe, so the half-open state can be observed while it is in flight.
            await Task.Delay(TimeSpan.FromMilliseconds(800));
        });
        var settings = ConnectorHarness.FastSettings("pim", remote.BaseAddress);
        settings["Platform:Connectors:pim:Retry:MaxRetryAttempts"] = "0";
        settings["Platform:Connectors:pim:CircuitBreaker:MinimumThroughput"] = "2";
        settings["Platform:Connectors:pim:CircuitBreaker:BreakDuration"] = "00:00:00.600";
        await using var harness = ConnectorHarness.Create("pim", settings);

        Assert.Empty(harness.Metrics.Get("platform.connector.circuit.state"));
        (await harness.Client.GetAsync("products.list", "products")).Dispose();
        Assert.Equal(0, harness.Metrics.Get("platform.connector.circuit.state").Last().Value);
        (await harness.Client.GetAsync("products.list", "products")).Dispose();
        await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetAsync("products.list", "products"));
        Assert.Equal(2, harness.Metrics.Get("platform.connector.circuit.state").Last().Value);

        Volatile.Write(ref failing, false);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var probe = harness.Client.GetAsync("products.list", "products");
        while (remote.Hits < 3 && !probe.IsCompleted)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, harness.Metrics.Get("platform.connector.circuit.state").Last().Value);
        using var response = await probe;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, harness.Metrics.Get("platform.connector.circuit.state").Last().Value);
    }
}
