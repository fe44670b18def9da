using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.Magento.Tests.Infrastructure;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Magento.Tests;

public sealed class InventoryClientTests
{
    private static IMagentoInventoryClient Inventory(MagentoHarness harness) =>
        harness.Services.GetRequiredService<IMagentoInventoryClient>();

    private static List<MagentoSourceItem> Items(int count, string source = "berlin") =>
        Enumerable.Range(1, count)
            .Select(n => new MagentoSourceItem($"SKU-{n:0000}", source, n + 0.5m, n % 5 == 0 ? MagentoSourceItemStatus.OutOfStock : MagentoSourceItemStatus.InStock))
            .ToList();

    [Fact]
    public async Task Save_posts_the_documented_body_with_the_token()
    {
        var magento = new FakeMagentoInventory();
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);

        await Inventory(harness).SaveSourceItemsAsync("default",
        [
            new MagentoSourceItem("SKU-0001", "berlin", 12, MagentoSourceItemStatus.InStock),
            new MagentoSourceItem("24-WG085", "hamburg", 1.5m, MagentoSourceItemStatus.OutOfStock),
        ]);

        var request = Assert.Single(remote.Requests);
        Assert.Equal(("POST", "rest/default/V1/inventory/source-items"), (request.Method, request.Path));
        Assert.Equal(
            """{"sourceItems":[{"sku":"SKU-0001","source_code":"berlin","quantity":12,"status":1},{"sku":"24-WG085","source_code":"hamburg","quantity":1.5,"status":0}]}""",
            request.Body);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal($"Bearer {MagentoHarness.Token}", request.Headers["Authorization"]);
        Assert.Equal((12m, 1), magento.Get("SKU-0001", "berlin"));
        Assert.Equal((1.5m, 0), magento.Get("24-WG085", "hamburg"));
    }

    [Fact]
    public async Task Batches_split_by_the_input_limit_are_saved_and_an_oversized_request_is_rejected_with_magentos_message()
    {
        var magento = new FakeMagentoInventory();
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);
        var items = Items(45);

        var rejected = await Assert.ThrowsAsync<MagentoRejectedException>(() => inventory.SaveSourceItemsAsync("default", items));

        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("source-items.save", rejected.Operation);
        Assert.Equal($"Maximum items of type \"{FakeMagentoInventory.SourceItemType}\" is 20", rejected.MagentoMessage);
        Assert.Equal("Maximum items of type \"%type\" is %max", rejected.MessageTemplate);
        Assert.Equal("20", rejected.Parameters["max"]);
        Assert.Equal($"magento source-items.save: Magento answered 400: Maximum items of type \"{FakeMagentoInventory.SourceItemType}\" is 20", rejected.Message);
        Assert.Equal(0, magento.Count);
        // Permanent: the pipeline does not ask again.
        Assert.Equal(1, remote.Hits);

        Assert.Equal(20, inventory.InputLimit);
        var batches = inventory.SplitByInputLimit(items);
        Assert.Equal([20, 20, 5], batches.Select(b => b.Count));
        Assert.Equal(items, batches.SelectMany(b => b));
        foreach (var batch in batches)
        {
            await inventory.SaveSourceItemsAsync("default", batch);
        }

        Assert.Equal(45, magento.Count);
        Assert.Equal((45.5m, 0), magento.Get("SKU-0045", "berlin"));
    }

    [Theory]
    [InlineData("0", new[] { 45 })]
    [InlineData("7", new[] { 7, 7, 7, 7, 7, 7, 3 })]
    [InlineData("45", new[] { 45 })]
    public async Task The_input_limit_comes_from_configuration(string limit, int[] expected)
    {
        var settings = MagentoHarness.Settings("http://127.0.0.1:9/magento/");
        settings["Platform:Connectors:magento:Inventory:InputLimit"] = limit;
        await using var harness = MagentoHarness.Create(settings);

        var batches = Inventory(harness).SplitByInputLimit(Items(45));

        Assert.Equal(expected, batches.Select(b => b.Count));
        Assert.Empty(Inventory(harness).SplitByInputLimit([]));
    }

    [Fact]
    public async Task Msi_validation_answers_are_permanent_rejections_with_every_message_filled_in()
    {
        var magento = new FakeMagentoInventory();
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);

        var unknown = await Assert.ThrowsAsync<MagentoRejectedException>(() =>
            inventory.SaveSourceItemsAsync("default", [new MagentoSourceItem("SKU-0001", "paris", 3, MagentoSourceItemStatus.InStock)]));
        var invalid = await Assert.ThrowsAsync<MagentoRejectedException>(() =>
            inventory.SaveSourceItemsAsync("default", [new MagentoSourceItem("SKU-0001", "new york", 3, MagentoSourceItemStatus.InStock)]));

        Assert.Equal("Could not save Source Item", unknown.MagentoMessage);
        Assert.Empty(unknown.Errors);
        Assert.Equal("Validation Failed", invalid.MagentoMessage);
        Assert.Equal(["\"source_code\" can not contain whitespaces."], invalid.Errors);
        Assert.Equal("magento source-items.save: Magento answered 400: Validation Failed (\"source_code\" can not contain whitespaces.)", invalid.Message);
        Assert.Equal(0, magento.Count);
    }

    [Fact]
    public async Task Server_errors_are_transient_after_the_retries_and_a_non_json_400_still_is_a_rejection()
    {
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, request) => request.Number switch
        {
            <= 2 => FakeRemote.WriteJsonAsync(context, 503, """{"message":"Service Unavailable"}"""),
            _ => WriteHtmlAsync(context, 400),
        });
        var settings = MagentoHarness.Settings(remote.BaseAddress);
        settings["Platform:Connectors:magento:Retry:MaxRetryAttempts"] = "1";
        await using var harness = MagentoHarness.Create(settings);
        var inventory = Inventory(harness);

        var unavailable = await Assert.ThrowsAsync<ConnectorException>(() => inventory.SaveSourceItemsAsync("default", Items(1)));
        var rejected = await Assert.ThrowsAsync<MagentoRejectedException>(() => inventory.SaveSourceItemsAsync("default", Items(1)));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, true, "source-items.save"), (unavailable.StatusCode, unavailable.IsTransient, unavailable.Operation));
        Assert.Equal("400 Bad Request", rejected.MagentoMessage);
        Assert.Equal(3, remote.Hits);

        static async Task WriteHtmlAsync(Microsoft.AspNetCore.Http.HttpContext context, int status)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "text/html";
            await Microsoft.AspNetCore.Http.HttpResponseWritingExtensions.WriteAsync(context.Response, "<html>bad request</html>");
        }
    }

    [Fact]
    public async Task A_bulk_is_accepted_and_followed_until_every_operation_is_complete()
    {
        var magento = new FakeMagentoInventory();
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);
        var requests = inventory.SplitByInputLimit(Items(50));

        var accepted = await inventory.StartSourceItemsBulkAsync("default", requests);

        var start = remote.Requests.First();
        Assert.Equal(("POST", "rest/default/async/bulk/V1/inventory/source-items"), (start.Method, start.Path));
        var body = JsonNode.Parse(start.Body)!.AsArray();
        Assert.Equal([20, 20, 10], body.Select(r => r!["sourceItems"]!.AsArray().Count));
        Assert.Equal(
            """{"sku":"SKU-0021","source_code":"berlin","quantity":21.5,"status":1}""",
            body[1]!["sourceItems"]![0]!.ToJsonString());
        Assert.True(Guid.TryParse(accepted.BulkUuid, out _));
        Assert.False(accepted.Errors);
        Assert.Equal([0, 1, 2], accepted.Accepted.Select(i => i.Id));
        Assert.Empty(accepted.Rejected);
        Assert.All(accepted.RequestItems, i => Assert.Equal(64, i.DataHash!.Length));
        Assert.Equal(0, magento.Count);

        var status = await inventory.WaitForBulkAsync(accepted.BulkUuid, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));

        Assert.True(status.IsFinished);
        Assert.True(status.IsSuccessful);
        Assert.Empty(status.FailedOperations);
        Assert.Equal(3, status.OperationCount);
        Assert.Equal(accepted.BulkUuid, status.BulkUuid);
        Assert.All(status.Operations, o => Assert.StartsWith("Service execution success", o.ResultMessage, StringComparison.Ordinal));
        // The fake's consumer finishes one operation per status read: the wait read until the last one was done.
        Assert.Equal(3, magento.StatusReads);
        Assert.Contains(remote.Requests, r => r.Method == "GET" && r.Path == $"rest/V1/bulk/{accepted.BulkUuid}/status");
        Assert.Equal(50, magento.Count);
        Assert.Equal((50.5m, 0), magento.Get("SKU-0050", "berlin"));
    }

    [Fact]
    public async Task Failed_operations_are_reported_and_the_rest_of_the_bulk_applies()
    {
        var magento = new FakeMagentoInventory();
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);

        var accepted = await inventory.StartSourceItemsBulkAsync("default", [Items(2), Items(2, source: "paris"), Items(3, source: "hamburg")]);
        var status = await inventory.WaitForBulkAsync(accepted.BulkUuid, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10));

        Assert.True(status.IsFinished);
        Assert.False(status.IsSuccessful);
        var failed = Assert.Single(status.FailedOperations);
        Assert.Equal(MagentoBulkOperationStatus.NotRetriablyFailed, failed.Status);
        Assert.Equal("Could not save Source Item", failed.ResultMessage);
        Assert.Equal(
            [MagentoBulkOperationStatus.Complete, MagentoBulkOperationStatus.NotRetriablyFailed, MagentoBulkOperationStatus.Complete],
            status.Operations.Select(o => o.Status));
        Assert.Equal(5, magento.Count);
    }

    [Fact]
    public async Task Waiting_gives_up_at_the_timeout_saying_how_much_is_still_open()
    {
        var magento = new FakeMagentoInventory { ConsumerRuns = false };
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);
        var accepted = await inventory.StartSourceItemsBulkAsync("default", [Items(1), Items(1, source: "hamburg")]);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            inventory.WaitForBulkAsync(accepted.BulkUuid, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)));

        Assert.Equal($"magento bulk {accepted.BulkUuid}: not finished after 0.2 s, 2 of 2 operations are still open", timeout.Message);
        Assert.InRange(magento.StatusReads, 2, 20);

        magento.RunConsumer();
        var status = await inventory.GetBulkStatusAsync(accepted.BulkUuid);
        Assert.True(status.IsSuccessful);
    }

    [Fact]
    public async Task A_documented_bulk_answer_with_a_rejected_request_and_a_documented_status_are_read()
    {
        // Shapes of the Adobe Commerce REST reference (async bulk answer, GET /V1/bulk/{uuid}/status); the
        // operation ids are Magento's own, unrelated to the request indexes.
        await using var remote = await FakeRemote.StartAsync("/magento/", (context, request) => request.Method == "POST"
            ? FakeRemote.WriteJsonAsync(context, 202, """
                {"bulk_uuid":"fbfca270-7a90-4c4e-9f32-d6cf3728cdc7",
                 "request_items":[{"id":0,"data_hash":"8d4e6f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e","status":"accepted"},
                                  {"id":1,"data_hash":null,"status":"rejected","error_message":"Error processing 1 element of input data","error_code":0}],
                 "errors":true}
                """)
            : FakeRemote.WriteJsonAsync(context, 200, """
                {"operations_list":[{"id":12,"status":"2","result_message":"Deadlock found when trying to get lock","error_code":"0"},
                                    {"id":13,"status":4,"result_message":null,"error_code":null}],
                 "user_type":2,"bulk_id":"fbfca270-7a90-4c4e-9f32-d6cf3728cdc7",
                 "description":"Topic async.magento.inventoryapi.api.sourceitemssaveinterface.execute.post",
                 "start_time":"2018-07-12 16:07:53","user_id":null,"operation_count":3}
                """));
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);

        var accepted = await inventory.StartSourceItemsBulkAsync("default", [Items(1), Items(1)]);
        var status = await inventory.GetBulkStatusAsync(accepted.BulkUuid);

        Assert.True(accepted.Errors);
        var rejected = Assert.Single(accepted.Rejected);
        Assert.Equal(new MagentoBulkRequestItem(1, MagentoBulkRequestItemStatus.Rejected, null, "Error processing 1 element of input data", 0), rejected);
        Assert.Equal([0], accepted.Accepted.Select(i => i.Id));

        Assert.Equal([12L, 13L], status.Operations.Select(o => o.Id));
        Assert.Equal(new MagentoBulkOperation(12, MagentoBulkOperationStatus.RetriablyFailed, "Deadlock found when trying to get lock", 0), status.Operations[0]);
        Assert.False(status.IsFinished);
        // One operation is open and one is not listed yet.
        Assert.Equal(2, status.OpenCount);
        Assert.Single(status.FailedOperations);
    }

    [Fact]
    public async Task An_unknown_bulk_is_a_permanent_error()
    {
        var magento = new FakeMagentoInventory();
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);

        var missing = await Assert.ThrowsAsync<ConnectorException>(() =>
            Inventory(harness).GetBulkStatusAsync("0b7e5c1a-9d7c-4a43-8f3e-2a1d5e6f7a8b"));

        Assert.Equal((HttpStatusCode.NotFound, false, "bulk.status"), (missing.StatusCode, missing.IsTransient, missing.Operation));
    }

    [Fact]
    public async Task Source_item_search_sends_the_criteria_exactly_as_magento_expects()
    {
        var magento = new FakeMagentoInventory();
        magento.Put("SKU-0002", "berlin", 4, 1);
        magento.Put("SKU-0001", "hamburg", 0, 0);
        magento.Put("SKU-0001", "berlin", 2.25m, 1);
        magento.Put("SKU-0003", "berlin", 9, 1);
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);

        var page = await inventory.ListSourceItemsAsync("default", ["SKU-0002", "SKU-0001"], null, 100, 1);
        var one = await inventory.ListSourceItemsAsync("uk_en", ["SKU-0001"], "berlin", 20, 2);

        var requests = remote.Requests.ToList();
        Assert.Equal(("GET", "rest/default/V1/inventory/source-items"), (requests[0].Method, requests[0].Path));
        Assert.Equal(
            "?searchCriteria[filter_groups][0][filters][0][field]=sku"
            + "&searchCriteria[filter_groups][0][filters][0][value]=SKU-0002%2CSKU-0001"
            + "&searchCriteria[filter_groups][0][filters][0][condition_type]=in"
            + "&searchCriteria[sortOrders][0][field]=sku"
            + "&searchCriteria[sortOrders][0][direction]=ASC"
            + "&searchCriteria[sortOrders][1][field]=source_code"
            + "&searchCriteria[sortOrders][1][direction]=ASC"
            + "&searchCriteria[pageSize]=100"
            + "&searchCriteria[currentPage]=1",
            requests[0].Query);
        Assert.Equal("rest/uk_en/V1/inventory/source-items", requests[1].Path);
        Assert.Equal(
            "?searchCriteria[filter_groups][0][filters][0][field]=sku"
            + "&searchCriteria[filter_groups][0][filters][0][value]=SKU-0001"
            + "&searchCriteria[filter_groups][0][filters][0][condition_type]=eq"
            + "&searchCriteria[filter_groups][1][filters][0][field]=source_code"
            + "&searchCriteria[filter_groups][1][filters][0][value]=berlin"
            + "&searchCriteria[filter_groups][1][filters][0][condition_type]=eq"
            + "&searchCriteria[sortOrders][0][field]=sku"
            + "&searchCriteria[sortOrders][0][direction]=ASC"
            + "&searchCriteria[sortOrders][1][field]=source_code"
            + "&searchCriteria[sortOrders][1][direction]=ASC"
            + "&searchCriteria[pageSize]=20"
            + "&searchCriteria[currentPage]=2",
            requests[1].Query);
        Assert.Equal(
            [
                new MagentoSourceItem("SKU-0001", "berlin", 2.25m, MagentoSourceItemStatus.InStock),
                new MagentoSourceItem("SKU-0001", "hamburg", 0, MagentoSourceItemStatus.OutOfStock),
                new MagentoSourceItem("SKU-0002", "berlin", 4, MagentoSourceItemStatus.InStock),
            ],
            page.Items);
        Assert.Equal((3, 1, 100), (page.TotalCount, page.CurrentPage, page.PageSize));
        Assert.Equal(1, one.TotalCount);
    }

    [Fact]
    public async Task Enumerating_chunks_the_skus_pages_each_chunk_and_asks_for_a_sku_with_a_comma_alone()
    {
        var magento = new FakeMagentoInventory();
        var skus = Enumerable.Range(1, 120).Select(n => $"SKU-{n:0000}").Append("CABLE-2,5MM").ToList();
        foreach (var sku in skus)
        {
            magento.Put(sku, "berlin", 1, 1);
            magento.Put(sku, "hamburg", 2, 1);
        }

        magento.Put("NOT-ASKED", "berlin", 1, 1);
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);

        var pages = new List<MagentoSourceItemPage>();
        await foreach (var page in Inventory(harness).EnumerateSourceItemsAsync("default", [.. skus, "SKU-0001"], pageSize: 40))
        {
            pages.Add(page);
        }

        var read = pages.SelectMany(p => p.Items).ToList();
        Assert.Equal(242, read.Count);
        Assert.Equal(read.Count, read.Select(i => (i.Sku, i.SourceCode)).Distinct().Count());
        Assert.Equal(skus.ToHashSet(), read.Select(i => i.Sku).ToHashSet());
        // 50 + 50 + 20 SKUs at two sources each: 100, 100 and 40 items in pages of 40, then the comma SKU on its own.
        Assert.Equal([40, 40, 20, 40, 40, 20, 40, 2], pages.Select(p => p.Items.Count));
        Assert.Equal(8, remote.Hits);
        var last = remote.Requests.Last();
        Assert.Contains("[value]=CABLE-2%2C5MM&searchCriteria[filter_groups][0][filters][0][condition_type]=eq", last.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_that_would_build_a_wrong_request_are_refused_before_sending()
    {
        var magento = new FakeMagentoInventory();
        await using var remote = await FakeRemote.StartAsync("/magento/", magento.RespondAsync);
        await using var harness = MagentoHarness.Create(remote);
        var inventory = Inventory(harness);

        await Assert.ThrowsAsync<ArgumentException>(() => inventory.SaveSourceItemsAsync("default", []));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.SaveSourceItemsAsync("de/fault", Items(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.SaveSourceItemsAsync("default", [new MagentoSourceItem(" ", "berlin", 1, MagentoSourceItemStatus.InStock)]));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.SaveSourceItemsAsync("default", [new MagentoSourceItem("A", "", 1, MagentoSourceItemStatus.InStock)]));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.SaveSourceItemsAsync("default", [new MagentoSourceItem("A", "berlin", 1, (MagentoSourceItemStatus)2)]));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.StartSourceItemsBulkAsync("default", []));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.StartSourceItemsBulkAsync("default", [Items(1), []]));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.GetBulkStatusAsync("../../V1/orders"));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.ListSourceItemsAsync("default", [], null, 10, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.ListSourceItemsAsync("default", Items(51).Select(i => i.Sku).ToList(), null, 10, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.ListSourceItemsAsync("default", ["A", "B,C"], null, 10, 1));
        await Assert.ThrowsAsync<ArgumentException>(() => inventory.ListSourceItemsAsync("default", ["A"], " ", 10, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inventory.ListSourceItemsAsync("default", ["A"], null, 301, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inventory.ListSourceItemsAsync("default", ["A"], null, 10, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => inventory.WaitForBulkAsync("abc", TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Equal(0, remote.Hits);
    }
}
