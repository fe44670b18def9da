using System.Text.Json;
using Google.Protobuf;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Ctl.Output;
using Platform.Messaging;

namespace Platform.Ctl.Tests;

public sealed class DeadLetterCommandTests
{
    private static string[] Order(TestServiceHost host, params string[] args) =>
        [.. args, "--service", "order", "--endpoint-order", host.GrpcAddress, "--api-key", TestServiceHost.AdminKey];

    [Fact]
    public async Task List_filters_by_kind_type_topic_and_age()
    {
        await using var host = await TestServiceHost.StartAsync("order");
        await DeadLetterSeed.RecordAsync(host, "dl-invalid", FailureKinds.Invalid, age: TimeSpan.FromMinutes(10));
        await DeadLetterSeed.RecordAsync(host, "dl-exhausted", FailureKinds.Exhausted, eventType: "platform.order.v1.OrderCancelled", age: TimeSpan.FromMinutes(5));
        await DeadLetterSeed.RecordAsync(host, "dl-old", FailureKinds.Malformed, eventType: "", topic: "order.webhooks.v1", age: TimeSpan.FromHours(3));
        var ctl = new CtlRunner();

        var all = await ctl.RunAsync(Order(host, "dlq", "list"));
        Assert.Equal(ExitCodes.Success, all.ExitCode);
        Assert.Equal(["dl-old", "dl-invalid", "dl-exhausted"], RowIds(all.Out));
        Assert.Contains("unknown store code 'xx'", all.Out, StringComparison.Ordinal);
        Assert.Contains("3 dead letter(s)", all.Out, StringComparison.Ordinal);

        Assert.Equal(["dl-invalid"], RowIds((await ctl.RunAsync(Order(host, "dlq", "list", "--kind", "invalid"))).Out));
        Assert.Equal(["dl-exhausted"], RowIds((await ctl.RunAsync(Order(host, "dlq", "list", "--type", "platform.order.v1.OrderCancelled"))).Out));
        Assert.Equal(["dl-old"], RowIds((await ctl.RunAsync(Order(host, "dlq", "list", "--topic", "order.webhooks.v1"))).Out));
        Assert.Equal(["dl-invalid", "dl-exhausted"], RowIds((await ctl.RunAsync(Order(host, "dlq", "list", "--max-age", "1h"))).Out));

        var none = await ctl.RunAsync(Order(host, "dlq", "list", "--kind", "invalid", "--topic", "order.webhooks.v1"));
        Assert.Equal(ExitCodes.Success, none.ExitCode);
        Assert.Contains("No dead letters in order match topic order.webhooks.v1, kind invalid.", none.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_pages_through_the_service_and_as_json_returns_the_next_page_token()
    {
        await using var host = await TestServiceHost.StartAsync("order");
        for (var index = 0; index < 5; index++)
        {
            await DeadLetterSeed.RecordAsync(host, $"dl-{index}", FailureKinds.Invalid, age: TimeSpan.FromMinutes(10 - index));
        }

        var ctl = new CtlRunner();

        var firstPage = await ctl.RunAsync(Order(host, "dlq", "list", "--page-size", "2"));
        Assert.Equal(["dl-0", "dl-1"], RowIds(firstPage.Out));
        Assert.Contains("more remain: add --all-pages, or --page-token 2", firstPage.Out, StringComparison.Ordinal);

        var everything = await ctl.RunAsync(Order(host, "dlq", "list", "--page-size", "2", "--all-pages"));
        Assert.Equal(["dl-0", "dl-1", "dl-2", "dl-3", "dl-4"], RowIds(everything.Out));
        Assert.DoesNotContain("more remain", everything.Out, StringComparison.Ordinal);

        var json = await ctl.RunAsync(Order(host, "dlq", "list", "--page-size", "2", "--page-token", "2", "--json"));
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal("order", document.RootElement.GetProperty("service").GetString());
        Assert.Equal(["dl-2", "dl-3"], document.RootElement.GetProperty("deadLetters").EnumerateArray().Select(l => l.GetProperty("id").GetString()));
        Assert.Equal("FAILURE_KIND_INVALID", document.RootElement.GetProperty("deadLetters")[0].GetProperty("failureKind").GetString());
        Assert.Equal("4", document.RootElement.GetProperty("nextPageToken").GetString());
    }

    [Fact]
    public async Task Show_prints_headers_reason_the_raw_payload_and_the_event_decoded_from_its_contract()
    {
        await using var host = await TestServiceHost.StartAsync("order");
        var payload = DeadLetterSeed.SampleOrderPlaced().ToByteArray();
        await DeadLetterSeed.RecordAsync(host, "dl-show", FailureKinds.Invalid, payload: payload);
        var ctl = new CtlRunner();

        var table = await ctl.RunAsync(Order(host, "dlq", "show", "dl-show"));

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Contains("unknown store code 'xx'", table.Out, StringComparison.Ordinal);
        Assert.Contains("ce_specversion", table.Out, StringComparison.Ordinal);
        Assert.Contains("event-dl-show", table.Out, StringComparison.Ordinal);
        Assert.Contains($"payload ({payload.Length} bytes)", table.Out, StringComparison.Ordinal);
        Assert.Contains("00000000  " + string.Join(' ', payload.Take(8).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))), table.Out, StringComparison.Ordinal);
        Assert.Contains("base64: " + Convert.ToBase64String(payload), table.Out, StringComparison.Ordinal);
        Assert.Contains("decoded as platform.order.v1.OrderPlaced", table.Out, StringComparison.Ordinal);
        Assert.Contains("\"orderNumber\": \"000000123\"", table.Out, StringComparison.Ordinal);
        Assert.Contains("\"state\": \"ORDER_STATE_PLACED\"", table.Out, StringComparison.Ordinal);

        var json = await ctl.RunAsync(Order(host, "dlq", "show", "dl-show", "--json"));
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        var root = document.RootElement;
        Assert.Equal("dl-show", root.GetProperty("deadLetter").GetProperty("id").GetString());
        Assert.Equal(Convert.ToBase64String(payload), root.GetProperty("deadLetter").GetProperty("payload").GetString());
        Assert.Equal(Convert.ToHexStringLower(payload), root.GetProperty("payloadHex").GetString());
        Assert.Equal("default-000000123", root.GetProperty("decodedPayload").GetProperty("orderId").GetString());
        Assert.Equal("EUR", root.GetProperty("decodedPayload").GetProperty("order").GetProperty("currencyCode").GetString());
    }

    [Fact]
    public async Task Show_says_why_a_payload_was_not_decoded()
    {
        await using var host = await TestServiceHost.StartAsync("order");
        await DeadLetterSeed.RecordAsync(host, "dl-unknown-type", FailureKinds.Malformed, eventType: "com.example.Unknown", payload: [0x01, 0x02]);
        await DeadLetterSeed.RecordAsync(host, "dl-garbage", FailureKinds.Malformed, payload: [0xff, 0xff, 0xff]);
        var ctl = new CtlRunner();

        var unknown = await ctl.RunAsync(Order(host, "dlq", "show", "dl-unknown-type", "--json"));
        using (var document = JsonDocument.Parse(unknown.Out))
        {
            Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("decodedPayload").ValueKind);
            Assert.Equal("not decoded: com.example.Unknown is not an event of these contracts", document.RootElement.GetProperty("decodeNote").GetString());
        }

        var garbage = await ctl.RunAsync(Order(host, "dlq", "show", "dl-garbage"));
        Assert.Equal(ExitCodes.Success, garbage.ExitCode);
        Assert.Contains("not decoded: the payload is not a valid platform.order.v1.OrderPlaced", garbage.Out, StringComparison.Ordinal);
        Assert.Contains("|...|", garbage.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_of_an_unknown_id_exits_not_found()
    {
        await using var host = await TestServiceHost.StartAsync("order");

        var result = await new CtlRunner().RunAsync(Order(host, "dlq", "show", "no-such-letter"));

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Equal("platformctl: order: no dead letter with id 'no-such-letter'", result.Error.Trim());
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task List_show_and_replay_address_the_inventory_service_by_name()
    {
        await using var host = await TestServiceHost.StartAsync("inventory");
        var stockChanged = new StockLevelChanged
        {
            Sku = "TSHIRT-RED-M",
            LocationCode = "wh-main",
            OnHand = DecimalValue.FromDecimal(12),
            Version = 3,
        };
        await DeadLetterSeed.RecordAsync(
            host, "dl-stock", FailureKinds.Invalid, eventType: "platform.inventory.v1.StockLevelChanged", topic: "inventory.stock.v1",
            payload: stockChanged.ToByteArray(), reason: "unknown location 'wh-main'");
        string[] Inventory(params string[] args) =>
            [.. args, "--service", "inventory", "--endpoint-inventory", host.GrpcAddress, "--api-key", TestServiceHost.AdminKey];
        var ctl = new CtlRunner();

        var list = await ctl.RunAsync(Inventory("dlq", "list"));
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Equal(["dl-stock"], RowIds(list.Out));
        Assert.Contains("inventory dead letters", list.Out, StringComparison.Ordinal);

        var show = await ctl.RunAsync(Inventory("dlq", "show", "dl-stock", "--json"));
        Assert.Equal(ExitCodes.Success, show.ExitCode);
        using (var document = JsonDocument.Parse(show.Out))
        {
            Assert.Equal("inventory", document.RootElement.GetProperty("service").GetString());
            Assert.Equal("unknown location 'wh-main'", document.RootElement.GetProperty("deadLetter").GetProperty("reason").GetString());
            Assert.Equal("TSHIRT-RED-M", document.RootElement.GetProperty("decodedPayload").GetProperty("sku").GetString());
        }

        var replay = await ctl.RunAsync(Inventory("dlq", "replay", "--id", "dl-stock", "--yes"));
        Assert.Equal(ExitCodes.Success, replay.ExitCode);
        Assert.Contains("Replayed 1 dead letter(s) of inventory (by id).", replay.Out, StringComparison.Ordinal);
        Assert.Equal(["event-dl-stock"], host.Log.ReadAll(DeadLetterSeed.Group + ".retry").Select(record => record.Headers[EventHeaders.Id]));
        Assert.Equal(0, await host.DeadLetters.CountAsync());
    }

    // The first cell of each body row of the rendered table.
    internal static List<string> RowIds(string output) =>
        output.Split('\n')
            .Where(line => line.StartsWith("│ dl-", StringComparison.Ordinal))
            .Select(line => line.Split('│', StringSplitOptions.TrimEntries)[1])
            .ToList();
}
