using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.Erp.Tests.Infrastructure;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Erp.Tests;

public sealed class StockChangeTests
{
    private static readonly DateTimeOffset Measured = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static IErpStockClient Stock(ErpHarness harness) => harness.Services.GetRequiredService<IErpStockClient>();

    private static JsonObject Update(string sku, string type = "absolute", decimal quantity = 12, long? sequence = 1042, string? measuredAt = null)
    {
        var update = new JsonObject { ["sku"] = sku, ["location"] = "WH-BER", ["type"] = type, ["quantity"] = quantity };
        if (sequence is not null)
        {
            update["sequence"] = sequence;
        }

        if (measuredAt is not null)
        {
            update["measuredAt"] = measuredAt;
        }

        return update;
    }

    [Fact]
    public async Task Pages_follow_the_cursor_with_the_documented_query_and_the_api_key()
    {
        var log = new FakeStockLog();
        log.Add(Update("SKU-0001"));
        log.Add(Update("SKU-0002", "delta", -3, sequence: null, measuredAt: "2026-11-22T10:00:00Z"));
        log.Add(Update("SKU-0003", "delta", 1.25m, sequence: 7, measuredAt: "2026-11-22T11:30:00+01:00"));
        log.Add(Update("SKU-0004", quantity: 0));
        log.Add(Update("SKU-0005"));
        await using var remote = await FakeRemote.StartAsync("/erp/", log.RespondAsync);
        await using var harness = ErpHarness.Create(remote);
        var stock = Stock(harness);

        var first = await stock.ListStockChangesAsync(null, 3);
        var second = await stock.ListStockChangesAsync(first.NextCursor, 3);
        var caughtUp = await stock.ListStockChangesAsync(second.NextCursor, 3);

        var requests = remote.Requests.ToList();
        Assert.All(requests, r => Assert.Equal(("GET", "api/v1/stock-changes"), (r.Method, r.Path)));
        Assert.Equal(
            ["?limit=3", "?after=00000000000000000003&limit=3", "?after=00000000000000000005&limit=3"],
            requests.Select(r => r.Query));
        Assert.All(requests, r => Assert.Equal(ErpHarness.ApiKey, r.Headers["X-Api-Key"]));

        Assert.Equal(
            [
                new ErpStockChange("00000000000000000001", "SKU-0001", "WH-BER", ErpStockChangeType.Absolute, 12, 1042, null),
                new ErpStockChange("00000000000000000002", "SKU-0002", "WH-BER", ErpStockChangeType.Delta, -3, null, Measured),
                new ErpStockChange("00000000000000000003", "SKU-0003", "WH-BER", ErpStockChangeType.Delta, 1.25m, 7, Measured.AddMinutes(30)),
            ],
            first.Changes);
        Assert.Equal(TimeSpan.Zero, first.Changes[2].MeasuredAt!.Value.Offset);
        Assert.Equal(("00000000000000000003", true), (first.NextCursor, first.HasMore));
        Assert.Equal(["SKU-0004", "SKU-0005"], second.Changes.Select(c => c.Sku));
        Assert.Equal(("00000000000000000005", false), (second.NextCursor, second.HasMore));
        Assert.Empty(caughtUp.Changes);
        Assert.Empty(caughtUp.Invalid);
        // With nothing new the ERP hands the cursor back, so the caller keeps its place.
        Assert.Equal(("00000000000000000005", false), (caughtUp.NextCursor, caughtUp.HasMore));
    }

    [Fact]
    public async Task Enumerating_reads_every_page_while_the_erp_says_more_and_defaults_the_limit()
    {
        var log = new FakeStockLog();
        for (var n = 1; n <= 1203; n++)
        {
            log.Add(Update($"SKU-{n:0000}", sequence: n));
        }

        await using var remote = await FakeRemote.StartAsync("/erp/", log.RespondAsync);
        await using var harness = ErpHarness.Create(remote);

        var pages = new List<ErpStockChangePage>();
        await foreach (var page in Stock(harness).EnumerateStockChangesAsync(FakeStockLog.Id(3)))
        {
            pages.Add(page);
        }

        Assert.Equal([500, 500, 200], pages.Select(p => p.Changes.Count));
        Assert.Equal([true, true, false], pages.Select(p => p.HasMore));
        Assert.Equal(Enumerable.Range(4, 1200).Select(n => (long?)n), pages.SelectMany(p => p.Changes).Select(c => c.Sequence));
        Assert.Equal("?after=00000000000000000003&limit=500", remote.Requests.First().Query);
        Assert.Equal(FakeStockLog.Id(1203), pages[^1].NextCursor);
    }

    [Fact]
    public async Task Malformed_changes_come_back_as_invalid_entries_and_the_cursor_still_moves_past_them()
    {
        var log = new FakeStockLog();
        log.Add(Update("SKU-0001"));
        log.Add(new JsonObject { ["location"] = "WH-BER", ["type"] = "absolute", ["quantity"] = 1, ["sequence"] = 1 });
        log.Add(Update("SKU-0003", type: "snapshot"));
        log.Add(Update("SKU-0004", quantity: -2));
        log.Add(new JsonObject { ["sku"] = "SKU-0005", ["location"] = "WH-BER", ["type"] = "delta", ["quantity"] = "12", ["sequence"] = 1.5 });
        log.Add(Update("SKU-0006", sequence: null, measuredAt: "2026-11-22T10:00:00"));
        log.Add(Update("SKU-0007", sequence: null));
        log.Add(new JsonObject { ["changeId"] = null, ["sku"] = "", ["location"] = 4, ["type"] = "delta", ["quantity"] = 1, ["sequence"] = 2 });
        log.Add(Update("SKU-0009", "DELTA", -1, sequence: 9));
        await using var remote = await FakeRemote.StartAsync("/erp/", log.RespondAsync);
        await using var harness = ErpHarness.Create(remote);

        var page = await Stock(harness).ListStockChangesAsync(null, 100);

        Assert.Equal(["SKU-0001", "SKU-0009"], page.Changes.Select(c => c.Sku));
        Assert.Equal(ErpStockChangeType.Delta, page.Changes[1].Type);
        Assert.Equal(FakeStockLog.Id(9), page.NextCursor);
        Assert.Equal(
            [
                (FakeStockLog.Id(2), null, "changes[1].sku is missing"),
                (FakeStockLog.Id(3), "SKU-0003", "changes[2].type must be absolute or delta"),
                (FakeStockLog.Id(4), "SKU-0004", "changes[3].quantity must not be negative for an absolute update"),
                (FakeStockLog.Id(5), "SKU-0005", "changes[4].quantity must be a number; changes[4].sequence must be a whole number (int64)"),
                (FakeStockLog.Id(6), "SKU-0006", "changes[5].measuredAt must be an ISO-8601 timestamp with a zone, e.g. 2026-11-22T10:00:00Z"),
                (FakeStockLog.Id(7), "SKU-0007", "changes[6]: sequence or measuredAt is required"),
                ((string?)null, (string?)null, "changes[7].changeId is missing; changes[7].sku must be a non-empty string; changes[7].location must be a non-empty string"),
            ],
            page.Invalid.Select(i => (i.ChangeId, i.Sku, i.Error)));
        // The raw entry travels with the reason, for the dead letter.
        Assert.Equal(
            JsonNode.Parse("""{"changeId":"00000000000000000005","sku":"SKU-0005","location":"WH-BER","type":"delta","quantity":"12","sequence":1.5}""")!.ToJsonString(),
            JsonNode.Parse(page.Invalid[3].Json)!.ToJsonString());
        Assert.Equal("WH-BER", page.Invalid[1].Location);
    }

    [Fact]
    public async Task An_entry_that_is_not_an_object_is_invalid_and_a_page_breaking_the_contract_throws()
    {
        var answers = new Queue<string>(
        [
            """{"changes":[42,{"changeId":"7","sku":"A","location":"L","type":"absolute","quantity":1,"sequence":1}],"nextCursor":"7","hasMore":false}""",
            """{"changes":[],"nextCursor":null}""",
            """{"changes":[{"changeId":"8","sku":"A","location":"L","type":"absolute","quantity":1,"sequence":1}],"hasMore":false}""",
            """{"changes":[],"hasMore":false}""",
            """[]""",
            """maintenance""",
        ]);
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) => FakeRemote.WriteJsonAsync(context, 200, answers.Dequeue()));
        await using var harness = ErpHarness.Create(remote);
        var stock = Stock(harness);

        var page = await stock.ListStockChangesAsync("6", 10);
        var noHasMore = await Assert.ThrowsAsync<InvalidDataException>(() => stock.ListStockChangesAsync("7", 10));
        var noCursor = await Assert.ThrowsAsync<InvalidDataException>(() => stock.ListStockChangesAsync("7", 10));
        var emptyWithoutCursor = await stock.ListStockChangesAsync("8", 10);
        var notAnObject = await Assert.ThrowsAsync<InvalidDataException>(() => stock.ListStockChangesAsync("8", 10));
        var notJson = await Assert.ThrowsAsync<InvalidDataException>(() => stock.ListStockChangesAsync("8", 10));

        var invalid = Assert.Single(page.Invalid);
        Assert.Equal(("changes[0] is a JSON Number, not an object", "42"), (invalid.Error, invalid.Json));
        Assert.Equal("7", Assert.Single(page.Changes).ChangeId);
        Assert.Equal("erp stock-changes.list: the response lacks hasMore (true or false)", noHasMore.Message);
        Assert.Equal("erp stock-changes.list: nextCursor is missing although the page holds changes", noCursor.Message);
        Assert.Equal(("8", false), (emptyWithoutCursor.NextCursor, emptyWithoutCursor.HasMore));
        Assert.Equal("erp stock-changes.list: the response is a JSON Array, not an object", notAnObject.Message);
        Assert.StartsWith("erp stock-changes.list: the ERP answered 200 with a body that is not JSON", notJson.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_erp_promising_more_without_moving_its_cursor_stops_the_enumeration()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) =>
            FakeRemote.WriteJsonAsync(context, 200, """{"changes":[],"nextCursor":"00000000000000000010","hasMore":true}"""));
        await using var harness = ErpHarness.Create(remote);

        var pages = 0;
        var failure = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in Stock(harness).EnumerateStockChangesAsync(FakeStockLog.Id(10), 50))
            {
                pages++;
            }
        });

        Assert.Equal(1, pages);
        Assert.Equal(1, remote.Hits);
        Assert.Equal("erp stock-changes.list: hasMore is true but nextCursor did not move past '00000000000000000010'", failure.Message);
    }

    [Fact]
    public async Task A_refused_cursor_is_a_permanent_rejection_and_server_errors_stay_transient()
    {
        var log = new FakeStockLog();
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, request) => request.Query.Contains("after=oops", StringComparison.Ordinal)
            ? log.RespondAsync(context, request)
            : FakeRemote.WriteJsonAsync(context, 503, """{"title":"Service Unavailable","status":503}"""));
        var settings = ErpHarness.Settings(remote.BaseAddress);
        settings["Platform:Connectors:erp:Retry:MaxRetryAttempts"] = "1";
        await using var harness = ErpHarness.Create(settings);
        var stock = Stock(harness);

        var rejected = await Assert.ThrowsAsync<ErpRejectedException>(() => stock.ListStockChangesAsync("oops", 10));
        var unavailable = await Assert.ThrowsAsync<ConnectorException>(() => stock.ListStockChangesAsync(null, 10));

        Assert.Equal((HttpStatusCode.BadRequest, "after must be a cursor returned by this API", "stock-changes.list"), (rejected.StatusCode, rejected.Error, rejected.Operation));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, true, "stock-changes.list"), (unavailable.StatusCode, unavailable.IsTransient, unavailable.Operation));
        Assert.Equal(3, remote.Hits);
    }

    [Fact]
    public async Task A_limit_outside_the_contract_is_refused_before_sending_and_the_cursor_is_escaped()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) =>
            FakeRemote.WriteJsonAsync(context, 200, """{"changes":[],"nextCursor":"a/b c","hasMore":false}"""));
        await using var harness = ErpHarness.Create(remote);
        var stock = Stock(harness);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => stock.ListStockChangesAsync(null, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => stock.ListStockChangesAsync(null, 1001));
        Assert.Equal(0, remote.Hits);

        await stock.ListStockChangesAsync("a/b c", 1000);
        await stock.ListStockChangesAsync("", 1);
        Assert.Equal(["?after=a%2Fb%20c&limit=1000", "?limit=1"], remote.Requests.Select(r => r.Query));
    }

    [Fact]
    public async Task Both_erp_clients_resolve_from_one_registration()
    {
        await using var harness = ErpHarness.Create(ErpHarness.Settings("http://127.0.0.1:9/erp/"));

        Assert.IsType<ErpStockClient>(harness.Services.GetRequiredService<IErpStockClient>());
        Assert.IsType<ErpClient>(harness.Services.GetRequiredService<IErpClient>());
    }
}
