using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task Each_attempt_and_the_final_outcome_are_recorded_with_their_own_status()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(503, 429, 200));
        await using var harness = ConnectorHarness.Create("erp", ConnectorHarness.FastSettings("erp", remote.BaseAddress));

        using var response = await harness.Client.GetAsync("orders.list", "orders");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(harness.Metrics.Get("platform.connector.requests"));
        Assert.Equal("operation=orders.list status_code=200 system=erp", request.TagSet);
        Assert.Equal(1, request.Value);
        Assert.Equal(
            ["operation=orders.list status_code=503 system=erp", "operation=orders.list status_code=429 system=erp", "operation=orders.list status_code=200 system=erp"],
            harness.Metrics.Get("platform.connector.request.attempts").Select(a => a.TagSet));
        Assert.Equal(
            ["operation=orders.list status_code=503 system=erp", "operation=orders.list status_code=429 system=erp"],
            harness.Metrics.Get("platform.connector.retries").Select(a => a.TagSet));
        var duration = Assert.Single(harness.Metrics.Get("platform.connector.request.duration"));
        Assert.Equal("operation=orders.list system=erp", duration.TagSet);
        Assert.InRange(duration.Value, 0.0001, 20);
        Assert.Equal("s", harness.Metrics.Instruments.Single(i => i.Name == "platform.connector.request.duration").Unit);
    }

    [Fact]
    public async Task A_final_failure_status_is_recorded_as_the_request_status()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(500));
        var settings = ConnectorHarness.FastSettings("pim", remote.BaseAddress);
        settings["Platform:Connectors:pim:Retry:MaxRetryAttempts"] = "2";
        await using var harness = ConnectorHarness.Create("pim", settings);

        using var response = await harness.Client.GetAsync("products.get", "products/1");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("operation=products.get status_code=500 system=pim", Assert.Single(harness.Metrics.Get("platform.connector.requests")).TagSet);
        Assert.Equal(3, harness.Metrics.Get("platform.connector.request.attempts").Count);
        Assert.Equal(2, harness.Metrics.Get("platform.connector.retries").Count);
    }

    [Fact]
    public async Task Requests_without_an_operation_are_counted_as_unnamed()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(204));
        await using var harness = ConnectorHarness.Create("crm", ConnectorHarness.FastSettings("crm", remote.BaseAddress));
        var http = harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("crm");

        (await http.GetAsync("contacts/42")).Dispose();

        Assert.Equal("operation=unnamed status_code=204 system=crm", Assert.Single(harness.Metrics.Get("platform.connector.requests")).TagSet);
    }

    [Fact]
    public async Task Circuit_state_is_reported_per_system_once_the_pipeline_exists()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(200));
        await using var harness = ConnectorHarness.Create("magento", ConnectorHarness.FastSettings("magento", remote.BaseAddress));

        (await harness.Client.GetAsync("orders.list", "orders")).Dispose();

        var state = Assert.Single(harness.Metrics.Get("platform.connector.circuit.state"));
        Assert.Equal("system=magento", state.TagSet);
        Assert.Equal(0, state.Value);
    }
}
