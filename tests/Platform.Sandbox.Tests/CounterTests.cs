using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class CounterTests
{
    [Fact]
    public async Task Requests_responses_and_faults_are_counted_per_system_and_operation()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await FaultInjectionTests.SendSequentiallyAsync(sandbox, "magento", 3);
        (await sandbox.Client.GetAsync("magento/rest/default/V1/store/storeViews")).Dispose();
        (await sandbox.Client.GetAsync("magento/rest/default/V1/no/such/route")).Dispose();
        await sandbox.PutFaultsAsync("erp", new { errorRate = 1.0, errorStatus = 502 });
        await FaultInjectionTests.SendSequentiallyAsync(sandbox, "erp", 2);

        var counters = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/counters");

        var magento = counters.GetProperty("systems").GetProperty("magento");
        Assert.Equal(5, magento.GetProperty("requests").GetInt64());
        Assert.Equal(3, magento.GetProperty("responses").GetProperty("200").GetInt64());
        Assert.Equal(2, magento.GetProperty("responses").GetProperty("401").GetInt64());
        var storeViews = magento.GetProperty("operations").GetProperty("GET /rest/{store}/V1/store/storeViews");
        Assert.Equal(4, storeViews.GetProperty("requests").GetInt64());
        Assert.Equal(1, magento.GetProperty("operations").GetProperty("unmatched").GetProperty("requests").GetInt64());

        var erp = counters.GetProperty("systems").GetProperty("erp");
        Assert.Equal(2, erp.GetProperty("responses").GetProperty("502").GetInt64());
        Assert.Equal(2, erp.GetProperty("faults").GetProperty("error").GetInt64());
        Assert.False(counters.GetProperty("systems").TryGetProperty("shopify", out _), "a system nobody called has no counters");
    }

    [Fact]
    public async Task Control_requests_are_not_counted_as_system_traffic()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        (await sandbox.Client.GetAsync("_sandbox/faults")).Dispose();
        (await sandbox.Client.GetAsync("_sandbox/systems")).Dispose();

        var counters = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/counters");

        Assert.Empty(counters.GetProperty("systems").EnumerateObject());
    }

    [Fact]
    public async Task Named_counters_added_by_simulated_endpoints_are_reported_per_item()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var counters = sandbox.Services.GetCounters();
        counters.Increment("erp.orders.received", "default:000000123");
        counters.Increment("erp.orders.received", "default:000000123");
        counters.Increment("erp.orders.received", "default:000000124");
        Assert.Equal(1, counters.Increment("erp.orders.duplicates"));

        var snapshot = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/counters");

        var received = snapshot.GetProperty("counters").GetProperty("erp.orders.received");
        Assert.Equal(3, received.GetProperty("total").GetInt64());
        Assert.Equal(2, received.GetProperty("items").GetProperty("default:000000123").GetInt64());
        Assert.Equal(1, received.GetProperty("items").GetProperty("default:000000124").GetInt64());
        Assert.Equal(1, snapshot.GetProperty("counters").GetProperty("erp.orders.duplicates").GetProperty("total").GetInt64());
        Assert.Equal(2, counters.Get("erp.orders.received", "default:000000123"));
        Assert.Equal(3, counters.Get("erp.orders.received"));
    }

    [Fact]
    public async Task Named_counters_can_be_asked_for_alone()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await FaultInjectionTests.SendSequentiallyAsync(sandbox, "erp", 1);
        var counters = sandbox.Services.GetCounters();
        counters.Increment("erp.orders.created", "default-1");
        counters.Increment("erp.cancellations", "default-1");
        counters.Increment("erp.credit_notes", "default-2");

        var snapshot = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/counters?name=erp.orders.created&name=erp.credit_notes");

        Assert.Equal(["erp.credit_notes", "erp.orders.created"], snapshot.GetProperty("counters").EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal(1, snapshot.GetProperty("counters").GetProperty("erp.orders.created").GetProperty("items").GetProperty("default-1").GetInt64());
        Assert.Empty(snapshot.GetProperty("systems").EnumerateObject());
    }

    [Fact]
    public async Task Reset_zeroes_every_counter()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await FaultInjectionTests.SendSequentiallyAsync(sandbox, "crm", 2);
        sandbox.Services.GetCounters().Increment("crm.contacts.upserted", "c-1");

        using (var reset = await sandbox.Client.PostAsync("_sandbox/counters/reset", content: null))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        var snapshot = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/counters");
        Assert.Empty(snapshot.GetProperty("systems").EnumerateObject());
        Assert.Empty(snapshot.GetProperty("counters").EnumerateObject());

        await FaultInjectionTests.SendSequentiallyAsync(sandbox, "crm", 1);
        Assert.Equal(1, sandbox.Services.GetCounters().GetSystem("crm", "requests"));
    }

    [Fact]
    public async Task Concurrent_requests_are_all_counted()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            using var response = await sandbox.Client.SendAsync(sandbox.AuthorizedRequest("tpl"));
            response.EnsureSuccessStatusCode();
        }));

        Assert.Equal(200, sandbox.Services.GetCounters().GetSystem("tpl", "requests"));
        Assert.Equal(200, sandbox.Services.GetCounters().GetSystem("tpl", "responses.200"));
    }
}
