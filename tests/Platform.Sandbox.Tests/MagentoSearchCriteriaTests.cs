using System.Net;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class MagentoSearchCriteriaTests
{
    private const string Criteria = "searchCriteria";

    private static string Filter(int group, string field, string value, string? condition = null, int filter = 0) =>
        $"{Criteria}[filter_groups][{group}][filters][{filter}][field]={field}" +
        $"&{Criteria}[filter_groups][{group}][filters][{filter}][value]={Uri.EscapeDataString(value)}" +
        (condition is null ? "" : $"&{Criteria}[filter_groups][{group}][filters][{filter}][condition_type]={condition}");

    /// <summary>Five orders one minute apart from 09:00:00; the third and the first are changed later (09:10, 09:11).</summary>
    private static async Task<(SandboxHost Sandbox, List<long> Ids)> FiveOrdersAsync()
    {
        var clock = new TestClock(TestClock.Start);
        var sandbox = await SalesTestKit.StartWithClockAsync(clock);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await sandbox.CreateOrderAsync(new { invoice = true })).EntityId());
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await sandbox.ChangeOrderAsync(ids[2], "ship")).Status);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await sandbox.ChangeOrderAsync(ids[0], "ship")).Status);
        return (sandbox, ids);
    }

    private static async Task<(List<long> Ids, int Total, JsonElement Body)> SearchAsync(SandboxHost sandbox, string query)
    {
        var (status, body) = await sandbox.MagentoGetAsync("orders?" + query);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        return (body.GetProperty("items").EnumerateArray().Select(item => item.EntityId()).ToList(), body.GetProperty("total_count").GetInt32(), body);
    }

    [Theory]
    [InlineData("updated_at", "2026-11-22 09:02:00", "gteq", new[] { 1, 3, 4, 5 })]
    [InlineData("updated_at", "2026-11-22 09:03:00", "gt", new[] { 1, 3, 5 })]
    [InlineData("updated_at", "2026-11-22 09:02:00", "from", new[] { 1, 3, 4, 5 })]
    [InlineData("updated_at", "2026-11-22 09:04:00", "lteq", new[] { 2, 4, 5 })]
    [InlineData("updated_at", "2026-11-22 09:04:00", "lt", new[] { 2, 4 })]
    [InlineData("updated_at", "2026-11-22 09:04:00", "to", new[] { 2, 4, 5 })]
    [InlineData("created_at", "2026-11-22 09:02:00", "gteq", new[] { 3, 4, 5 })]
    [InlineData("created_at", "2026-11-22 09:02:00", "lt", new[] { 1, 2 })]
    [InlineData("created_at", "2026-11-22T09:01:00Z", "eq", new[] { 2 })]
    [InlineData("increment_id", "000000004", "eq", new[] { 4 })]
    [InlineData("increment_id", "000000004", null, new[] { 4 })]
    [InlineData("increment_id", "000000002,000000005", "in", new[] { 2, 5 })]
    [InlineData("status", "complete", "eq", new[] { 1, 3 })]
    [InlineData("status", "complete", "neq", new[] { 2, 4, 5 })]
    public async Task Filters_select_what_magento_selects(string field, string value, string? condition, int[] expected)
    {
        var (sandbox, _) = await FiveOrdersAsync();
        await using (sandbox)
        {
            var (ids, total, _) = await SearchAsync(sandbox, Filter(0, field, value, condition));

            Assert.Equal(expected.Select(id => (long)id), ids);
            Assert.Equal(expected.Length, total);
        }
    }

    [Fact]
    public async Task Filter_groups_are_anded_and_filters_within_a_group_ored()
    {
        var (sandbox, _) = await FiveOrdersAsync();
        await using (sandbox)
        {
            var window = Filter(0, "created_at", "2026-11-22 09:01:00", "from") + "&" + Filter(1, "created_at", "2026-11-22 09:03:00", "to");
            var (anded, _, _) = await SearchAsync(sandbox, window);
            var sameGroup = Filter(0, "created_at", "2026-11-22 09:01:00", "from") + "&" + Filter(0, "created_at", "2026-11-22 09:03:00", "to", filter: 1);
            var (ored, _, _) = await SearchAsync(sandbox, sameGroup);

            Assert.Equal([2L, 3L, 4L], anded);
            Assert.Equal([1L, 2L, 3L, 4L, 5L], ored);
        }
    }

    [Fact]
    public async Task Pages_cover_every_match_once_and_a_page_past_the_end_repeats_the_last_page_as_magento_does()
    {
        var (sandbox, _) = await FiveOrdersAsync();
        await using (sandbox)
        {
            var sort = $"&{Criteria}[sortOrders][0][field]=updated_at&{Criteria}[sortOrders][0][direction]=ASC";
            var seen = new List<long>();
            for (var page = 1; page <= 3; page++)
            {
                var (ids, total, body) = await SearchAsync(sandbox, $"{Criteria}[pageSize]=2&{Criteria}[currentPage]={page}" + sort);
                Assert.Equal(5, total);
                Assert.Equal(page, body.GetProperty("search_criteria").GetProperty("current_page").GetInt32());
                seen.AddRange(ids);
            }

            var (beyond, _, _) = await SearchAsync(sandbox, $"{Criteria}[pageSize]=2&{Criteria}[currentPage]=9" + sort);

            Assert.Equal([2L, 4L, 5L, 3L, 1L], seen);
            Assert.Equal([1L], beyond);
        }
    }

    [Fact]
    public async Task Sort_orders_apply_in_turn_and_without_a_direction_magento_sorts_descending()
    {
        var (sandbox, _) = await FiveOrdersAsync();
        await using (sandbox)
        {
            var (descending, _, _) = await SearchAsync(sandbox, $"{Criteria}[sortOrders][0][field]=updated_at&{Criteria}[sortOrders][0][direction]=DESC");
            var (undirected, _, _) = await SearchAsync(sandbox, $"{Criteria}[sortOrders][0][field]=entity_id");
            var (lowercase, _, _) = await SearchAsync(sandbox, $"{Criteria}[sortOrders][0][field]=entity_id&{Criteria}[sortOrders][0][direction]=asc");
            var (byStatusThenId, _, _) = await SearchAsync(sandbox,
                $"{Criteria}[sortOrders][0][field]=status&{Criteria}[sortOrders][0][direction]=ASC&{Criteria}[sortOrders][1][field]=entity_id&{Criteria}[sortOrders][1][direction]=DESC");

            Assert.Equal([1L, 3L, 5L, 4L, 2L], descending);
            Assert.Equal([5L, 4L, 3L, 2L, 1L], undirected);
            Assert.Equal([1L, 2L, 3L, 4L, 5L], lowercase);
            Assert.Equal([3L, 1L, 5L, 4L, 2L], byStatusThenId);
        }
    }

    [Fact]
    public async Task The_response_echoes_the_search_criteria_in_magento_shape_and_camel_case_keys_work_too()
    {
        var (sandbox, _) = await FiveOrdersAsync();
        await using (sandbox)
        {
            var query = $"{Criteria}[filterGroups][0][filters][0][field]=updated_at&{Criteria}[filterGroups][0][filters][0][value]=2026-11-22 09:03:00"
                + $"&{Criteria}[filterGroups][0][filters][0][conditionType]=gteq&{Criteria}[pageSize]=10&{Criteria}[currentPage]=1";

            var (ids, total, body) = await SearchAsync(sandbox, query);

            Assert.Equal([1L, 3L, 4L, 5L], ids);
            Assert.Equal(4, total);
            var echo = body.GetProperty("search_criteria");
            var filter = echo.GetProperty("filter_groups")[0].GetProperty("filters")[0];
            Assert.Equal("updated_at", filter.Text("field"));
            Assert.Equal("2026-11-22 09:03:00", filter.Text("value"));
            Assert.Equal("gteq", filter.Text("condition_type"));
            Assert.Equal(10, echo.GetProperty("page_size").GetInt32());
            Assert.Equal(1, echo.GetProperty("current_page").GetInt32());
        }
    }

    [Fact]
    public async Task Without_page_size_everything_matching_comes_back()
    {
        var (sandbox, _) = await FiveOrdersAsync();
        await using (sandbox)
        {
            var (ids, total, body) = await SearchAsync(sandbox, Criteria);

            Assert.Equal(5, ids.Count);
            Assert.Equal(5, total);
            Assert.Equal(0, body.GetProperty("search_criteria").GetProperty("filter_groups").GetArrayLength());
        }
    }

    [Fact]
    public async Task Changes_within_one_second_share_an_updated_at_so_a_strict_gt_cursor_misses_the_second_one()
    {
        var clock = new TestClock(TestClock.Start);
        await using var sandbox = await SalesTestKit.StartWithClockAsync(clock);
        var order = await sandbox.CreateOrderAsync();
        var cursor = order.Text("updated_at");

        var (_, invoiced) = await sandbox.ChangeOrderAsync(order.EntityId(), "invoice");
        var (strict, _, _) = await SearchAsync(sandbox, Filter(0, "updated_at", cursor, "gt"));
        var (inclusive, _, _) = await SearchAsync(sandbox, Filter(0, "updated_at", cursor, "gteq"));

        Assert.Equal(cursor, invoiced.Text("updated_at"));
        Assert.Empty(strict);
        Assert.Equal([order.EntityId()], inclusive);
    }

    [Theory]
    [InlineData("", HttpStatusCode.BadRequest, "\"%fieldName\" is required. Enter and try again.")]
    [InlineData("searchCriteria[filter_groups][0][filters][0][field]=updatedAt&searchCriteria[filter_groups][0][filters][0][value]=1", HttpStatusCode.InternalServerError, "Unknown column 'updatedAt'")]
    [InlineData("searchCriteria[filter_groups][0][filters][0][field]=updated_at&searchCriteria[filter_groups][0][filters][0][value]=yesterday&searchCriteria[filter_groups][0][filters][0][condition_type]=gteq", HttpStatusCode.BadRequest, "Invalid value of \"%value\" provided for the %fieldName field.")]
    [InlineData("searchCriteria[sortOrders][0][field]=entity_id&searchCriteria[sortOrders][0][direction]=UP", HttpStatusCode.BadRequest, "The sort order has to be specified as %1 for ascending order or %2 for descending order.")]
    [InlineData("searchCriteria[pageSize]=ten", HttpStatusCode.BadRequest, "The \"%value\" value's type is invalid.")]
    [InlineData("searchCriteria[page_sise]=10", HttpStatusCode.BadRequest, "does not have accessor method")]
    public async Task Bad_criteria_get_magento_errors(string query, HttpStatusCode status, string message)
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.CreateOrderAsync();

        var (actual, body) = await sandbox.MagentoGetAsync("orders?" + query);

        Assert.Equal(status, actual);
        Assert.Contains(message, body.Text("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_is_not_limited_to_the_store_in_the_path_but_can_be_filtered_on_store_id()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Magento:StoreViews:2:Id"] = "2",
            ["Sandbox:Magento:StoreViews:2:Code"] = "de",
            ["Sandbox:Magento:StoreViews:2:Name"] = "Deutsch",
        });
        await sandbox.CreateOrderAsync();
        await sandbox.CreateOrderAsync(store: "de");

        var (everything, _, _) = await SearchAsync(sandbox, Criteria);
        var (german, _, _) = await SearchAsync(sandbox, Filter(0, "store_id", "2"));

        Assert.Equal([1L, 2L], everything);
        Assert.Equal([2L], german);
    }
}
