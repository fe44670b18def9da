using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Platform.Connectors.Erp.Tests.Infrastructure;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Erp.Tests;

public sealed class ReconciliationTests
{
    private static readonly DateTimeOffset From = new(2024, 3, 7, 0, 0, 0, TimeSpan.Zero);

    private static Task Page(Microsoft.AspNetCore.Http.HttpContext context, ReceivedRequest request, int total)
    {
        var query = QueryHelpers.ParseQuery(request.Query);
        var page = int.Parse(query["page"]!, CultureInfo.InvariantCulture);
        var size = int.Parse(query["pageSize"]!, CultureInfo.InvariantCulture);
        var items = new JsonArray();
        // Past the end the fake repeats the last page, as some ERPs (and Magento) do: only totalCount tells.
        var last = Math.Max(1, (total + size - 1) / size);
        for (var n = (Math.Min(page, last) - 1) * size + 1; n <= Math.Min(Math.Min(page, last) * size, total); n++)
        {
            items.Add(new JsonObject
            {
                ["orderReference"] = $"default:{n:000000000}",
                ["documentNumber"] = $"SO-{n}",
                ["revision"] = 1,
                ["currency"] = "USD",
                ["grandTotal"] = 10.5m + n,
                ["status"] = "open",
                ["warehouse"] = "ignored",
            });
        }

        return FakeRemote.WriteJsonAsync(context, 200, new JsonObject { ["items"] = items, ["totalCount"] = total }.ToJsonString());
    }

    [Fact]
    public async Task Lists_with_the_documented_query()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, request) => Page(context, request, 3));
        await using var harness = ErpHarness.Create(remote);

        var page = await harness.Client.ListSalesOrdersAsync(
            From.ToOffset(TimeSpan.FromHours(1)), From.AddDays(1), "default", 1, 50);

        var request = Assert.Single(remote.Requests);
        Assert.Equal(("GET", "api/v1/sales-orders"), (request.Method, request.Path));
        Assert.Equal("?from=2024-03-07T00%3A00%3A00Z&to=2024-03-08T00%3A00%3A00Z&store=default&page=1&pageSize=50", request.Query);
        Assert.Equal(ErpHarness.ApiKey, request.Headers["X-Api-Key"]);
        Assert.Equal(3, page.TotalCount);
        Assert.Equal(new ErpSalesOrderSummary("default:000000001", "SO-1", 1, "USD", 11.5m, "open"), page.Items[0]);
    }

    [Fact]
    public async Task Enumerating_stops_at_total_count_and_leaves_out_the_store_when_none_is_given()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, request) => Page(context, request, 7));
        await using var harness = ErpHarness.Create(remote);

        var pages = new List<ErpSalesOrderListPage>();
        await foreach (var page in harness.Client.EnumerateSalesOrdersAsync(From, From.AddDays(1), null, pageSize: 3))
        {
            pages.Add(page);
        }

        Assert.Equal([3, 3, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(Enumerable.Range(1, 7).Select(n => $"SO-{n}"), pages.SelectMany(p => p.Items).Select(i => i.DocumentNumber));
        Assert.Equal(3, remote.Hits);
        Assert.All(remote.Requests, r => Assert.DoesNotContain("store=", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_empty_window_ends_after_one_request()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, request) => Page(context, request, 0));
        await using var harness = ErpHarness.Create(remote);

        var pages = new List<ErpSalesOrderListPage>();
        await foreach (var page in harness.Client.EnumerateSalesOrdersAsync(From, From.AddDays(1), "default"))
        {
            pages.Add(page);
        }

        Assert.Empty(pages);
        Assert.Equal(1, remote.Hits);
    }

    [Fact]
    public async Task A_summary_without_a_required_field_is_named()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) => FakeRemote.WriteJsonAsync(context, 200,
            """{"items":[{"orderReference":"default:1","documentNumber":"SO-1","revision":1,"currency":"USD","status":"open"}],"totalCount":1}"""));
        await using var harness = ErpHarness.Create(remote);

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => harness.Client.ListSalesOrdersAsync(From, From.AddDays(1), null, 1, 10));

        Assert.Equal("erp sales-orders.list: items[0].grandTotal is missing", failure.Message);
    }
}
