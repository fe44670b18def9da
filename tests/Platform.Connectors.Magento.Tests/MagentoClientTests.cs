using System.Net;
using Platform.Connectors.Magento.Tests.Infrastructure;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Magento.Tests;

public sealed class MagentoClientTests
{
    private static readonly DateTime Base = new(2024, 3, 7, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Updated_since_sends_the_documented_search_criteria_with_a_utc_timestamp()
    {
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, _) =>
            FakeRemote.WriteJsonAsync(context, 200, """{"items":[],"search_criteria":{},"total_count":0}"""));
        await using var harness = MagentoHarness.Create(remote);

        // 12:15:30.900 at +02:00 is 10:15:30 UTC; the fraction is dropped, never rounded up past an order.
        var since = new DateTimeOffset(2024, 3, 7, 12, 15, 30, 900, TimeSpan.FromHours(2));
        var page = await harness.Client.ListOrdersUpdatedSinceAsync("default", since, 50, 2);

        var request = Assert.Single(remote.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("rest/default/V1/orders", request.Path);
        Assert.Equal(
            "?searchCriteria[filter_groups][0][filters][0][field]=updated_at"
            + "&searchCriteria[filter_groups][0][filters][0][value]=2024-03-07%2010%3A15%3A30"
            + "&searchCriteria[filter_groups][0][filters][0][condition_type]=gteq"
            + "&searchCriteria[sortOrders][0][field]=updated_at"
            + "&searchCriteria[sortOrders][0][direction]=ASC"
            + "&searchCriteria[sortOrders][1][field]=entity_id"
            + "&searchCriteria[sortOrders][1][direction]=ASC"
            + "&searchCriteria[pageSize]=50"
            + "&searchCriteria[currentPage]=2",
            request.Query);
        Assert.Equal($"Bearer {MagentoHarness.Token}", request.Headers["Authorization"]);
        Assert.Equal((0, 2, 50), (page.TotalCount, page.CurrentPage, page.PageSize));
        Assert.Empty(page.Orders);
    }

    [Fact]
    public async Task Created_between_is_a_half_open_window_in_two_filter_groups()
    {
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, _) =>
            FakeRemote.WriteJsonAsync(context, 200, """{"items":[],"total_count":0}"""));
        await using var harness = MagentoHarness.Create(remote);

        await harness.Client.ListOrdersCreatedBetweenAsync(
            "uk_en", new DateTimeOffset(Base), new DateTimeOffset(Base.AddHours(1)), 100, 1);

        var request = Assert.Single(remote.Requests);
        Assert.Equal("rest/uk_en/V1/orders", request.Path);
        Assert.Equal(
            "?searchCriteria[filter_groups][0][filters][0][field]=created_at"
            + "&searchCriteria[filter_groups][0][filters][0][value]=2024-03-07%2010%3A00%3A00"
            + "&searchCriteria[filter_groups][0][filters][0][condition_type]=gteq"
            + "&searchCriteria[filter_groups][1][filters][0][field]=created_at"
            + "&searchCriteria[filter_groups][1][filters][0][value]=2024-03-07%2011%3A00%3A00"
            + "&searchCriteria[filter_groups][1][filters][0][condition_type]=lt"
            + "&searchCriteria[sortOrders][0][field]=entity_id"
            + "&searchCriteria[sortOrders][0][direction]=ASC"
            + "&searchCriteria[pageSize]=100"
            + "&searchCriteria[currentPage]=1",
            request.Query);
    }

    [Fact]
    public async Task Enumerating_stops_at_total_count_although_magento_repeats_the_last_page()
    {
        var magento = new FakeMagentoOrders();
        for (var id = 1; id <= 7; id++)
        {
            magento.Add(id, Base, Base.AddMinutes(id));
        }

        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);

        var pages = new List<MagentoOrderPage>();
        await foreach (var page in harness.Client.EnumerateOrdersCreatedBetweenAsync("default", Base.AddDays(-1), Base.AddDays(1), pageSize: 3))
        {
            pages.Add(page);
        }

        Assert.Equal([3, 3, 1], pages.Select(p => p.Orders.Count));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), pages.SelectMany(p => p.Orders).Select(o => o.EntityId));
        Assert.Equal(3, remote.Hits);

        // The trap itself: a fourth page would have answered with page 3 again.
        var beyond = await harness.Client.ListOrdersCreatedBetweenAsync("default", Base.AddDays(-1), Base.AddDays(1), 3, 4);
        Assert.Equal([7L], beyond.Orders.Select(o => o.EntityId));
    }

    [Fact]
    public async Task Enumerating_changes_returns_every_order_once_and_stops_by_total_count()
    {
        var magento = new FakeMagentoOrders();
        for (var id = 1; id <= 10; id++)
        {
            magento.Add(id, Base, Base.AddSeconds(id));
        }

        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);

        var ids = new List<long>();
        await foreach (var page in harness.Client.EnumerateOrdersUpdatedSinceAsync("default", Base, pageSize: 4))
        {
            ids.AddRange(page.Orders.Select(o => o.EntityId));
        }

        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), ids);
        Assert.Equal(3, remote.Hits);
    }

    [Fact]
    public async Task An_order_updated_while_paging_does_not_make_another_order_skip()
    {
        var magento = new FakeMagentoOrders();
        for (var id = 1; id <= 6; id++)
        {
            magento.Add(id, Base, Base.AddSeconds(id));
        }

        // After the first page (orders 1-3) is served, order 2 changes and moves to the end of the sort.
        // With plain offsets page 2 would then start at order 5, and order 4 would never be seen.
        magento.AfterList = number =>
        {
            if (number == 1)
            {
                magento.Touch(2, Base.AddSeconds(100));
            }
        };
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);

        var seen = new List<(long Id, DateTimeOffset UpdatedAt)>();
        await foreach (var page in harness.Client.EnumerateOrdersUpdatedSinceAsync("default", Base, pageSize: 3))
        {
            seen.AddRange(page.Orders.Select(o => (o.EntityId, o.UpdatedAt)));
        }

        Assert.Equal([1L, 2, 3, 4, 5, 6, 2], seen.Select(s => s.Id));
        Assert.Equal(new DateTimeOffset(Base.AddSeconds(100)), seen[^1].UpdatedAt);
    }

    [Fact]
    public async Task Many_orders_changed_in_the_same_second_are_paged_through_without_repeats()
    {
        var magento = new FakeMagentoOrders();
        for (var id = 1; id <= 8; id++)
        {
            magento.Add(id, Base, id <= 6 ? Base.AddSeconds(5) : Base.AddSeconds(9));
        }

        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);

        var ids = new List<long>();
        await foreach (var page in harness.Client.EnumerateOrdersUpdatedSinceAsync("default", Base, pageSize: 2))
        {
            ids.AddRange(page.Orders.Select(o => o.EntityId));
        }

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task Get_order_reads_one_order_and_answers_null_for_an_unknown_id()
    {
        var sample = Samples.Read("order-guest.json");
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, request) => request.Path == "rest/default/V1/orders/3"
            ? FakeRemote.WriteJsonAsync(context, 200, sample)
            : FakeRemote.WriteJsonAsync(context, 404, """{"message":"The entity that was requested doesn't exist. Verify the entity and try again."}"""));
        await using var harness = MagentoHarness.Create(remote);

        var order = await harness.Client.GetOrderAsync("default", 3);
        var missing = await harness.Client.GetOrderAsync("default", 4);

        Assert.Equal("000000003", order!.IncrementId);
        Assert.Null(missing);
        Assert.All(remote.Requests, r => Assert.Equal($"Bearer {MagentoHarness.Token}", r.Headers["Authorization"]));
    }

    [Fact]
    public async Task Errors_keep_their_status_and_transience()
    {
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, request) => request.Path.EndsWith("/1", StringComparison.Ordinal)
            ? FakeRemote.WriteJsonAsync(context, 401, """{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Magento_Sales::actions_view"}}""")
            : FakeRemote.WriteJsonAsync(context, 503, """{"message":"Service Unavailable"}"""));
        var settings = MagentoHarness.Settings(remote.BaseAddress);
        settings["Platform:Connectors:magento:Retry:MaxRetryAttempts"] = "1";
        await using var harness = MagentoHarness.Create(settings);

        var unauthorized = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetOrderAsync("default", 1));
        var unavailable = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.GetOrderAsync("default", 2));

        Assert.Equal((HttpStatusCode.Unauthorized, false), (unauthorized.StatusCode, unauthorized.IsTransient));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, true), (unavailable.StatusCode, unavailable.IsTransient));
        Assert.Equal("orders.get", unavailable.Operation);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_payload_error()
    {
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, _) =>
            FakeRemote.WriteJsonAsync(context, 200, "<html>maintenance</html>"));
        await using var harness = MagentoHarness.Create(remote);

        var failure = await Assert.ThrowsAsync<MagentoPayloadException>(() => harness.Client.GetOrderAsync("default", 1));

        Assert.StartsWith("Magento order: the response is not valid JSON", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_that_would_build_a_wrong_request_are_refused_before_sending()
    {
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, _) =>
            FakeRemote.WriteJsonAsync(context, 200, """{"items":[],"total_count":0}"""));
        await using var harness = MagentoHarness.Create(remote);

        await Assert.ThrowsAsync<ArgumentException>(() => harness.Client.ListOrdersUpdatedSinceAsync("default/../all", Base, 10, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => harness.Client.ListOrdersUpdatedSinceAsync("default", Base, 0, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => harness.Client.ListOrdersUpdatedSinceAsync("default", Base, 301, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => harness.Client.ListOrdersUpdatedSinceAsync("default", Base, 10, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => harness.Client.ListOrdersCreatedBetweenAsync("default", Base, Base, 10, 1));
        Assert.Equal(0, remote.Hits);
    }
}
