using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class MagentoSourceItemTests
{
    private const string Criteria = "searchCriteria";

    private static readonly Dictionary<string, string?> TwoSources = new()
    {
        ["Sandbox:Magento:Sources:0"] = "berlin",
        ["Sandbox:Magento:Sources:1"] = "hamburg",
    };

    private static object Item(string sku, string source, decimal quantity, int status = 1) =>
        new Dictionary<string, object> { ["sku"] = sku, ["source_code"] = source, ["quantity"] = quantity, ["status"] = status };

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(SandboxHost sandbox, HttpMethod method, string path, object? body = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, "magento/rest/" + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SandboxHost.MagentoToken);
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await sandbox.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static Task<(HttpStatusCode Status, JsonElement Body)> SaveAsync(SandboxHost sandbox, params object[] items) =>
        SendAsync(sandbox, HttpMethod.Post, "default/V1/inventory/source-items", new { sourceItems = items });

    private static async Task<JsonElement> ControlItemsAsync(SandboxHost sandbox, string query = "") =>
        await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/magento/source-items" + query);

    private static async Task<JsonElement> FollowBulkAsync(SandboxHost sandbox, string uuid)
    {
        JsonElement status = default;
        await SalesTestKit.Eventually(async () =>
        {
            var (code, body) = await SendAsync(sandbox, HttpMethod.Get, $"V1/bulk/{uuid}/status");
            Assert.Equal(HttpStatusCode.OK, code);
            status = body;
            return body.GetProperty("operations_list").EnumerateArray().All(operation => operation.GetProperty("status").GetInt32() != 4);
        }, "bulk finished");
        return status;
    }

    [Fact]
    public async Task A_synchronous_save_answers_an_empty_array_and_is_found_by_the_search()
    {
        await using var sandbox = await SandboxHost.StartAsync(TwoSources);

        var (status, body) = await SaveAsync(sandbox, Item("SKU-1", "berlin", 12), Item("SKU-1", "hamburg", 0, status: 0), Item("SKU-2", "default", 3.5m));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("[]", body.GetRawText());
        var (searched, found) = await SendAsync(sandbox, HttpMethod.Get, $"default/V1/inventory/source-items?{Criteria}[pageSize]=10");
        Assert.Equal(HttpStatusCode.OK, searched);
        Assert.Equal(3, found.GetProperty("total_count").GetInt32());
        var first = found.GetProperty("items")[0];
        Assert.Equal("""{"sku":"SKU-1","source_code":"berlin","quantity":12,"status":1}""", first.GetRawText());
        Assert.Equal(3.5m, found.GetProperty("items")[2].GetProperty("quantity").GetDecimal());
        Assert.Equal(10, found.GetProperty("search_criteria").GetProperty("page_size").GetInt32());
    }

    [Fact]
    public async Task Counters_and_the_control_api_show_the_last_value_and_how_often_each_item_was_written()
    {
        await using var sandbox = await SandboxHost.StartAsync(TwoSources);

        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(sandbox, Item("SKU-1", "berlin", 12), Item("SKU-2", "berlin", 1))).Status);
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(sandbox, Item("sku-1", "BERLIN", 7, status: 0))).Status);

        var counters = sandbox.Services.GetCounters();
        Assert.Equal(2, counters.Get("magento.source_items.calls"));
        Assert.Equal(3, counters.Get("magento.source_items.items"));
        Assert.Equal(2, counters.Get("magento.source_items.items", "berlin:SKU-1"));
        var rows = await ControlItemsAsync(sandbox, "?sku=SKU-1");
        var row = Assert.Single(rows.EnumerateArray());
        // MySQL's case-insensitive key: the second write updates the row, which keeps the spelling it was created with.
        Assert.Equal("SKU-1", row.Text("sku"));
        Assert.Equal("berlin", row.Text("source_code"));
        Assert.Equal(7, row.GetProperty("quantity").GetDecimal());
        Assert.Equal(0, row.GetProperty("status").GetInt32());
        Assert.Equal(2, row.GetProperty("writes").GetInt64());
        Assert.Equal(2, (await ControlItemsAsync(sandbox)).GetArrayLength());
        Assert.Single((await ControlItemsAsync(sandbox, "?source_code=berlin&sku=SKU-2")).EnumerateArray());

        using (var reset = await sandbox.Client.DeleteAsync("_sandbox/magento/source-items"))
        {
            Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        }

        Assert.Equal(0, (await ControlItemsAsync(sandbox)).GetArrayLength());
    }

    [Fact]
    public async Task More_entries_than_the_input_limit_are_refused_with_magento_message_and_nothing_is_saved()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var items = Enumerable.Range(1, 21).Select(i => Item($"SKU-{i}", "default", i)).ToArray();

        var (status, body) = await SaveAsync(sandbox, items);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("""{"message":"Maximum items of type \"%type\" is %max","parameters":{"type":"\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface","max":20}}""", body.GetRawText());
        Assert.Equal(0, (await ControlItemsAsync(sandbox)).GetArrayLength());
        Assert.Equal(21, sandbox.Services.GetCounters().Get("magento.source_items.rejected"));
        Assert.Equal(0, sandbox.Services.GetCounters().Get("magento.source_items.calls"));
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(sandbox, items[..20])).Status);
    }

    [Theory]
    [InlineData("5", 6, HttpStatusCode.BadRequest)]
    [InlineData("0", 30, HttpStatusCode.OK)]
    public async Task The_input_limit_is_a_setting_and_zero_turns_it_off(string limit, int count, HttpStatusCode expected)
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Magento:InputLimit"] = limit });

        var (status, _) = await SaveAsync(sandbox, [.. Enumerable.Range(1, count).Select(i => Item($"SKU-{i}", "default", i))]);

        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("""{"sourceItems":[{"sku":"","source_code":"default","quantity":1,"status":1}]}""",
        """{"message":"Validation Failed: \"sku\" can not be empty.","errors":[{"message":"\"%field\" can not be empty.","parameters":{"field":"sku"}}]}""")]
    [InlineData("""{"sourceItems":[{"sku":"A","source_code":"default","quantity":1,"status":7}]}""",
        """{"message":"Validation Failed: \"status\" should a known status.","errors":[{"message":"\"%field\" should a known status.","parameters":{"field":"status"}}]}""")]
    [InlineData("""{"sourceItems":[{"sku":"A","source_code":"default","status":1}]}""",
        """{"message":"Validation Failed: \"quantity\" should be numeric.","errors":[{"message":"\"%field\" should be numeric.","parameters":{"field":"quantity"}}]}""")]
    [InlineData("""{"sourceItems":[{"sku":"A","source_code":"nowhere","quantity":1,"status":1}]}""",
        """{"message":"Could not save Source Item"}""")]
    [InlineData("""{"sourceItems":[{"sku":"A","source_code":"default","quantity":"test","status":1}]}""",
        """{"message":"Error occurred during \"quantity\" processing. The \"test\" value's type is invalid. The \"float\" type was expected. Verify and try again."}""")]
    [InlineData("""{"sourceItems":[{"sku":"A","source_code":"default","qty":1,"status":1}]}""",
        """{"message":"Property \"Qty\" does not have accessor method \"getQty\" in class \"Magento\\InventoryApi\\Api\\Data\\SourceItemInterface\"."}""")]
    [InlineData("""{"sourceItems":[]}""", """{"message":"Input data is empty"}""")]
    [InlineData("""{"source_items_typo":[]}""", """{"message":"\"%fieldName\" is required. Enter and try again.","parameters":{"fieldName":"sourceItems"}}""")]
    [InlineData("""{"sourceItems":[""", """{"message":"Decoding error."}""")]
    public async Task Invalid_saves_are_refused_in_magento_words_and_save_nothing(string request, string expected)
    {
        await using var sandbox = await SandboxHost.StartAsync();
        // A valid item next to the bad one: Magento saves all or nothing.
        var withValid = request.Replace("""{"sourceItems":[{""", """{"sourceItems":[{"sku":"OK-1","source_code":"default","quantity":5,"status":1},{""", StringComparison.Ordinal);

        var (status, body) = await SendAsync(sandbox, HttpMethod.Post, "default/V1/inventory/source-items", rawBody: withValid);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(expected, body.GetRawText());
        Assert.Equal(0, (await ControlItemsAsync(sandbox)).GetArrayLength());
        Assert.Equal(0, sandbox.Services.GetCounters().Get("magento.source_items.calls"));
    }

    [Fact]
    public async Task Camel_case_keys_and_numeric_strings_are_taken_as_magento_takes_them()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, _) = await SendAsync(sandbox, HttpMethod.Post, "all/V1/inventory/source-items",
            rawBody: """{"source_items":[{"sku":"A","sourceCode":"default","quantity":"4.25","status":"1","extension_attributes":{}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var row = Assert.Single((await ControlItemsAsync(sandbox)).EnumerateArray());
        Assert.Equal(4.25m, row.GetProperty("quantity").GetDecimal());
    }

    [Fact]
    public async Task A_source_added_at_run_time_is_accepted_from_then_on()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await SaveAsync(sandbox, Item("A", "munich", 1))).Status);

        using (var added = await sandbox.Client.PostAsJsonAsync("_sandbox/magento/sources", new { source_code = "munich" }))
        {
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            var sources = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sources").EnumerateArray().Select(source => source.GetString());
            Assert.Equal(["default", "munich"], sources);
        }

        using (var invalid = await sandbox.Client.PostAsJsonAsync("_sandbox/magento/sources", new { source_code = "two words" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(sandbox, Item("A", "munich", 1))).Status);
    }

    [Fact]
    public async Task Saves_need_the_token_answer_unknown_stores_with_no_route_and_go_through_fault_injection()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        using (var anonymous = await sandbox.Client.PostAsJsonAsync("magento/rest/default/V1/inventory/source-items", new { sourceItems = new[] { Item("A", "default", 1) } }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            var denied = await anonymous.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Magento_InventoryApi::stock_source_item_assign", denied.GetProperty("parameters").GetProperty("resources").GetString());
        }

        var (unknownStore, noRoute) = await SendAsync(sandbox, HttpMethod.Post, "nowhere/V1/inventory/source-items", new { sourceItems = new[] { Item("A", "default", 1) } });
        Assert.Equal(HttpStatusCode.NotFound, unknownStore);
        Assert.Equal("Request does not match any route.", noRoute.Text("message"));

        await sandbox.PutFaultsAsync("magento", new { errorRate = 1.0, errorStatus = 503 });
        var (faulted, _) = await SaveAsync(sandbox, Item("A", "default", 1));
        var (bulkFaulted, _) = await SendAsync(sandbox, HttpMethod.Post, "default/async/bulk/V1/inventory/source-items", new[] { new { sourceItems = new[] { Item("A", "default", 1) } } });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, bulkFaulted);
        Assert.Equal(0, (await ControlItemsAsync(sandbox)).GetArrayLength());
        Assert.Equal(0, sandbox.Services.GetCounters().Get("magento.source_items.bulk_calls"));
    }

    [Fact]
    public async Task A_bulk_save_is_accepted_open_at_first_and_applied_later_which_the_status_shows()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?>(TwoSources) { ["Sandbox:Magento:BulkDelayMs"] = "1000" });

        var (status, accepted) = await SendAsync(sandbox, HttpMethod.Post, "default/async/bulk/V1/inventory/source-items", new object[]
        {
            new { sourceItems = new[] { Item("SKU-1", "berlin", 5), Item("SKU-2", "berlin", 6) } },
            new { sourceItems = new[] { Item("SKU-1", "hamburg", 0, status: 0) } },
        });

        Assert.Equal(HttpStatusCode.Accepted, status);
        var uuid = accepted.Text("bulk_uuid");
        Assert.True(Guid.TryParse(uuid, out _), uuid);
        Assert.False(accepted.GetProperty("errors").GetBoolean());
        var requestItems = accepted.GetProperty("request_items").EnumerateArray().ToList();
        Assert.Equal([0, 1], requestItems.Select(item => item.GetProperty("id").GetInt32()));
        Assert.All(requestItems, item => Assert.Equal("accepted", item.Text("status")));
        Assert.All(requestItems, item => Assert.Matches("^[0-9a-f]{64}$", item.Text("data_hash")));
        Assert.NotEqual(requestItems[0].Text("data_hash"), requestItems[1].Text("data_hash"));

        var (_, open) = await SendAsync(sandbox, HttpMethod.Get, $"V1/bulk/{uuid}/status");
        Assert.All(open.GetProperty("operations_list").EnumerateArray(), operation =>
        {
            Assert.Equal(4, operation.GetProperty("status").GetInt32());
            Assert.Equal(JsonValueKind.Null, operation.GetProperty("result_message").ValueKind);
            Assert.Equal(JsonValueKind.Null, operation.GetProperty("error_code").ValueKind);
        });
        Assert.Equal(0, (await ControlItemsAsync(sandbox)).GetArrayLength());

        var done = await FollowBulkAsync(sandbox, uuid);

        Assert.Equal(uuid, done.Text("bulk_id"));
        Assert.Equal(2, done.GetProperty("operation_count").GetInt32());
        Assert.Equal("Topic async.magento.inventoryapi.api.sourceitemssaveinterface.execute.post", done.Text("description"));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", done.Text("start_time"));
        Assert.All(done.GetProperty("operations_list").EnumerateArray(), operation =>
        {
            Assert.Equal(1, operation.GetProperty("status").GetInt32());
            Assert.StartsWith("Service execution success", operation.Text("result_message"), StringComparison.Ordinal);
        });
        Assert.Equal(3, (await ControlItemsAsync(sandbox)).GetArrayLength());
        var (_, storeScoped) = await SendAsync(sandbox, HttpMethod.Get, $"default/V1/bulk/{uuid}/status");
        Assert.Equal(done.GetRawText(), storeScoped.GetRawText());
        var counters = sandbox.Services.GetCounters();
        Assert.Equal(1, counters.Get("magento.source_items.bulk_calls"));
        Assert.Equal(3, counters.Get("magento.source_items.items"));
        Assert.Equal(0, counters.Get("magento.source_items.calls"));
    }

    [Fact]
    public async Task A_bulk_operation_that_fails_validation_ends_in_status_3_and_the_others_are_applied()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, accepted) = await SendAsync(sandbox, HttpMethod.Post, "default/async/bulk/V1/inventory/source-items", new object[]
        {
            new { sourceItems = new[] { Item("SKU-1", "default", 5) } },
            new { sourceItems = new[] { Item("SKU-2", "default", 6), Item("", "default", 1) } },
            new { sourceItems = new[] { Item("SKU-3", "nowhere", 6) } },
            new { sourceItems = new[] { Item("SKU-4", "default", 7) } },
        });
        Assert.Equal(HttpStatusCode.Accepted, status);

        var done = await FollowBulkAsync(sandbox, accepted.Text("bulk_uuid"));

        var operations = done.GetProperty("operations_list").EnumerateArray().ToList();
        Assert.Equal([1, 3, 3, 1], operations.Select(operation => operation.GetProperty("status").GetInt32()));
        Assert.Equal("Validation Failed: \"sku\" can not be empty.", operations[1].Text("result_message"));
        Assert.Equal("Could not save Source Item", operations[2].Text("result_message"));
        Assert.Equal(0, operations[1].GetProperty("error_code").GetInt32());
        Assert.Equal(["SKU-1", "SKU-4"], (await ControlItemsAsync(sandbox)).EnumerateArray().Select(row => row.Text("sku")));
        Assert.Equal(3, sandbox.Services.GetCounters().Get("magento.source_items.rejected"));
    }

    [Fact]
    public async Task A_bulk_request_magento_cannot_convert_is_refused_whole_and_an_unknown_bulk_is_404()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var tooMany = Enumerable.Range(1, 21).Select(i => Item($"SKU-{i}", "default", i)).ToArray();

        var (limited, limitBody) = await SendAsync(sandbox, HttpMethod.Post, "default/async/bulk/V1/inventory/source-items",
            new object[] { new { sourceItems = new[] { Item("SKU-0", "default", 1) } }, new { sourceItems = tooMany } });
        var (typed, typedBody) = await SendAsync(sandbox, HttpMethod.Post, "default/async/bulk/V1/inventory/source-items",
            rawBody: """[{"sourceItems":[{"sku":"A","source_code":"default","quantity":1,"status":"in stock"}]}]""");
        var (notArray, notArrayBody) = await SendAsync(sandbox, HttpMethod.Post, "default/async/bulk/V1/inventory/source-items",
            new { sourceItems = new[] { Item("SKU-0", "default", 1) } });
        var (missing, missingBody) = await SendAsync(sandbox, HttpMethod.Get, "V1/bulk/0b5d2c4e-0000-4000-8000-000000000000/status");

        Assert.Equal(HttpStatusCode.BadRequest, limited);
        Assert.Equal(20, limitBody.GetProperty("parameters").GetProperty("max").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, typed);
        Assert.Contains("The \"int\" type was expected", typedBody.Text("message"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, notArray);
        Assert.Equal("sourceItems", notArrayBody.GetProperty("parameters").GetProperty("fieldName").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("""{"message":"Bulk uuid %bulkUuid not exist","parameters":{"bulkUuid":"0b5d2c4e-0000-4000-8000-000000000000"}}""", missingBody.GetRawText());
        await Task.Delay(200);
        Assert.Equal(0, (await ControlItemsAsync(sandbox)).GetArrayLength());
        Assert.Equal(0, sandbox.Services.GetCounters().Get("magento.source_items.bulk_calls"));
    }

    [Theory]
    [InlineData("sku", "SKU-2", "eq", null, null, new[] { "SKU-2@berlin", "SKU-2@hamburg" })]
    [InlineData("sku", "SKU-1,SKU-3", "in", null, null, new[] { "SKU-1@berlin", "SKU-1@hamburg", "SKU-3@berlin", "SKU-3@hamburg" })]
    [InlineData("source_code", "hamburg", "eq", null, null, new[] { "SKU-1@hamburg", "SKU-2@hamburg", "SKU-3@hamburg" })]
    [InlineData("sku", "SKU-1,SKU-2", "in", "source_code", "berlin,default", new[] { "SKU-1@berlin", "SKU-2@berlin" })]
    public async Task The_search_filters_on_sku_and_source_code(string field, string value, string condition, string? secondField, string? secondValue, string[] expected)
    {
        await using var sandbox = await SandboxHost.StartAsync(TwoSources);
        foreach (var sku in new[] { "SKU-1", "SKU-2", "SKU-3" })
        {
            Assert.Equal(HttpStatusCode.OK, (await SaveAsync(sandbox, Item(sku, "berlin", 1), Item(sku, "hamburg", 2))).Status);
        }

        var query = $"{Criteria}[filter_groups][0][filters][0][field]={field}&{Criteria}[filter_groups][0][filters][0][value]={Uri.EscapeDataString(value)}" +
            $"&{Criteria}[filter_groups][0][filters][0][condition_type]={condition}";
        if (secondField is not null)
        {
            query += $"&{Criteria}[filter_groups][1][filters][0][field]={secondField}&{Criteria}[filter_groups][1][filters][0][value]={Uri.EscapeDataString(secondValue!)}" +
                $"&{Criteria}[filter_groups][1][filters][0][condition_type]=in";
        }

        var (status, body) = await SendAsync(sandbox, HttpMethod.Get, "default/V1/inventory/source-items?" + query);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, body.GetProperty("items").EnumerateArray().Select(item => $"{item.Text("sku")}@{item.Text("source_code")}").Order(StringComparer.Ordinal));
        Assert.Equal(expected.Length, body.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task The_search_pages_with_total_count_and_needs_search_criteria()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await SaveAsync(sandbox, [.. Enumerable.Range(1, 5).Select(i => Item($"SKU-{i}", "default", i))])).Status);

        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var (_, body) = await SendAsync(sandbox, HttpMethod.Get, $"default/V1/inventory/source-items?{Criteria}[pageSize]=2&{Criteria}[currentPage]={page}");
            Assert.Equal(5, body.GetProperty("total_count").GetInt32());
            pages.AddRange(body.GetProperty("items").EnumerateArray().Select(item => item.Text("sku")));
        }

        var (missing, missingBody) = await SendAsync(sandbox, HttpMethod.Get, "default/V1/inventory/source-items");

        Assert.Equal(["SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5"], pages);
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.Equal("searchCriteria", missingBody.GetProperty("parameters").GetProperty("fieldName").GetString());
    }
}
