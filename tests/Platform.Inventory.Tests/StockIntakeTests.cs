using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.Inventory.Api;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;
using Platform.Messaging.InMemory;

namespace Platform.Inventory.Tests;

public sealed class StockUpdateJsonTests
{
    private static (IReadOnlyList<IncomingStockUpdate> Updates, IReadOnlyList<string> Errors) Parse(string json, int max = 100) =>
        StockUpdateJson.ParseBatch(Encoding.UTF8.GetBytes(json), max, "delivery-1");

    [Fact]
    public void A_well_formed_batch_yields_every_update_with_its_reference()
    {
        var (updates, errors) = Parse("""
            {"updates": [
              {"sku": "SKU-1", "location": "WH-BER", "type": "absolute", "quantity": 12, "sequence": 7},
              {"sku": "SKU-2", "location": "WH-HAM", "type": "delta", "quantity": -2.5, "measuredAt": "2025-03-01T10:00:00+01:00"}
            ]}
            """);

        Assert.Empty(errors);
        Assert.Equal(2, updates.Count);
        Assert.Equal(new IncomingStockUpdate("SKU-1", "WH-BER", StockReportKind.Snapshot, 12, 7, null, "delivery-1#0"), updates[0]);
        Assert.Equal(7, updates[0].EffectiveSequence);
        var measured = new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal(new IncomingStockUpdate("SKU-2", "WH-HAM", StockReportKind.Adjustment, -2.5m, null, measured, "delivery-1#1"), updates[1]);
        Assert.Equal(TimeSpan.Zero, updates[1].MeasuredAt!.Value.Offset);
        // Without a sequence the measurement time orders the figures, to the microsecond.
        Assert.Equal((measured - DateTimeOffset.UnixEpoch).Ticks / 10, updates[1].EffectiveSequence);
    }

    [Fact]
    public void Every_wrong_field_is_reported_by_its_path_and_the_good_updates_are_kept()
    {
        var (updates, errors) = Parse("""
            {"updates": [
              {"sku": "SKU-1", "location": "WH-BER", "type": "absolute", "quantity": 12, "sequence": 1},
              {"sku": "", "location": "WH-BER", "type": "absolute", "quantity": 1, "sequence": 1},
              {"sku": "SKU-3", "location": "WH-BER", "type": "set", "quantity": "5", "sequence": -1},
              {"sku": "SKU-4", "location": "WH-BER", "type": "absolute", "quantity": -1, "sequence": 1},
              {"sku": "SKU-5", "location": "WH-BER", "type": "delta", "quantity": 1},
              {"sku": "SKU-6", "location": "WH-BER", "type": "delta", "quantity": 0.0000000001, "sequence": 2},
              {"sku": "SKU-7", "location": "WH-BER", "type": "delta", "quantity": 1, "measuredAt": "yesterday"},
              42,
              {"sku": "SKU-9", "location": "WH-BER", "type": "delta", "quantity": -4, "sequence": 3}
            ]}
            """);

        Assert.Equal(["SKU-1", "SKU-9"], updates.Select(u => u.Sku));
        Assert.Equal("delivery-1#8", updates[1].Reference);
        Assert.Equal(
            [
                "updates[1].sku must be a non-empty string",
                "updates[2].type must be \"absolute\" or \"delta\"",
                "updates[2].quantity must be a number",
                "updates[2].sequence must be a whole number of at least 0",
                "updates[3].quantity of an absolute level cannot be negative (got -1)",
                "updates[4].sequence or measuredAt is required to order the update",
                "updates[5].quantity has more than nine decimal places",
                "updates[6].measuredAt must be an ISO-8601 timestamp",
                "updates[7] must be an object",
            ],
            errors);
    }

    [Theory]
    [InlineData("not json", "body is not JSON")]
    [InlineData("[]", "body must be an object with an 'updates' array")]
    [InlineData("{\"updates\": {}}", "body must be an object with an 'updates' array")]
    [InlineData("{\"updates\": [{}, {}, {}]}", "updates holds 3 entries; at most 2 are accepted per request")]
    public void A_body_of_the_wrong_shape_is_refused_whole(string body, string error)
    {
        var (updates, errors) = Parse(body, max: 2);

        Assert.Empty(updates);
        Assert.StartsWith(error, Assert.Single(errors));
    }

    [Fact]
    public void Sku_and_location_are_limited_in_length()
    {
        var sku = new string('S', 65);
        var (updates, errors) = Parse($$"""{"updates": [{"sku": "{{sku}}", "location": "WH", "type": "absolute", "quantity": 1, "sequence": 1}]}""");

        Assert.Empty(updates);
        Assert.Equal(["updates[0].sku and location are limited to 64 characters"], errors);
    }
}

public sealed class CsvStockDropTests : IDisposable
{
    private const string Source = "wms";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "inventory-csv-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly InMemoryTransport _transport = new();
    private readonly CsvStockDrop _drop;

    public CsvStockDropTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, Source));
        var meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        var publisher = new EventPublisher(_transport, Microsoft.Extensions.Options.Options.Create(new MessagingOptions { ServiceName = "inventory" }), new MessagingMetrics(meters));
        var freshness = new SyncFreshness(meters);
        var options = new TestOptionsMonitor<InventoryOptions>(new InventoryOptions());
        var intake = new StockIntake(publisher, _transport, options, freshness, TimeProvider.System);
        _drop = new CsvStockDrop(intake, options, new InventoryMetrics(meters), freshness, TimeProvider.System, NullLogger<CsvStockDrop>.Instance);
    }

    private string Drop(string name, string content)
    {
        var path = Path.Combine(_root, Source, name);
        File.WriteAllText(path, content);
        return path;
    }

    // Whatever the intake groups the figures into, every accepted row must be on the ingest topic exactly once.
    private List<StockReported> Published() =>
        _transport.ReadAll(StockIntake.Topic).SelectMany(m => m.Headers[EventHeaders.Type] == StockReportBatch.Descriptor.FullName
            ? StockReportBatch.Parser.ParseFrom(m.Value.Span).Reports
            : [StockReported.Parser.ParseFrom(m.Value.Span)]).ToList();

    [Fact]
    public async Task Good_rows_are_published_and_bad_rows_are_reported_by_line_number()
    {
        var content = string.Join("\n",
            "sku,location,type,quantity,sequence,measured_at",
            "SKU-1,WH-BER,absolute,12,1,",
            "SKU-2,WH-BER,teleport,3,1,",
            "SKU-3,WH-BER,absolute,-4,1,",
            "\"SKU,4\",WH-BER,delta,-2,5,",
            ",WH-BER,absolute,1,1,",
            "SKU-6,WH-BER,absolute,many,1,",
            "SKU-7,WH-BER,absolute,1,,",
            "SKU-8,WH-BER,absolute,8,,2025-03-01T10:00:00Z",
            "SKU-9,WH-BER,absolute,1,x1,") + "\n";
        var path = Drop("levels.csv", content);

        var result = await _drop.ProcessFileAsync(Source, path, CancellationToken.None);

        Assert.Equal("levels.csv", result.File);
        Assert.Equal(9, result.Rows);
        Assert.Equal(3, result.Accepted);
        Assert.Equal(
            [
                "line 3: type must be absolute or delta (got 'teleport')",
                "line 4: quantity of an absolute level cannot be negative (got -4)",
                "line 6: sku is empty",
                "line 7: quantity 'many' is not a number",
                "line 8: sequence or measuredAt is required to order the update",
                "line 10: sequence 'x1' is not a whole number",
            ],
            result.Errors);

        var published = Published();
        Assert.Equal(["SKU,4", "SKU-1", "SKU-8"], published.Select(r => r.Sku).Order(StringComparer.Ordinal));
        var first = published.Single(r => r.Sku == "SKU-1");
        Assert.Equal(Source, first.Source);
        Assert.Equal("WH-BER", first.SourceLocation);
        Assert.Equal(StockReportKind.Snapshot, first.Kind);
        Assert.Equal(12m, first.Quantity.ToDecimal());
        Assert.Equal(1, first.SourceSequence);
        Assert.Equal(StockChannel.File, first.Channel);
        Assert.Equal("levels.csv:2", first.Reference);
        var delta = published.Single(r => r.Sku == "SKU,4");
        Assert.Equal(StockReportKind.Adjustment, delta.Kind);
        Assert.Equal(-2m, delta.Quantity.ToDecimal());
        Assert.Equal("levels.csv:5", delta.Reference);
        var measured = published.Single(r => r.Sku == "SKU-8");
        Assert.Equal(new DateTimeOffset(2025, 3, 1, 10, 0, 0, TimeSpan.Zero), measured.MeasuredAt.ToDateTimeOffset());

        Assert.False(File.Exists(path));
        var processed = Path.Combine(_root, Source, "processed");
        var moved = Assert.Single(Directory.GetFiles(processed, "*-levels.csv"));
        Assert.Equal(content, await File.ReadAllTextAsync(moved));
        var report = await File.ReadAllLinesAsync(moved + ".report.txt");
        Assert.Equal("levels.csv: 3 of 9 rows accepted, 6 refused", report[0]);
        Assert.Equal(result.Errors, report.Skip(1));
    }

    [Fact]
    public async Task A_row_that_is_not_valid_csv_is_reported_with_its_line_and_the_rest_applies()
    {
        var path = Drop("quotes.csv", string.Join("\r\n",
            "sku,location,type,quantity,sequence",
            "SKU-1,WH-BER,absolute,1,1",
            "\"SKU-2\",\"WH-BER\",\"absolute\",\"2\",\"1\"",
            "SKU-3,WH-BER,absolute,x,1",
            "SKU-4,WH-BER,\"absolute,4,1") + "\r\n");

        var result = await _drop.ProcessFileAsync(Source, path, CancellationToken.None);

        Assert.Equal(4, result.Rows);
        Assert.Equal(2, result.Accepted);
        Assert.Equal(["SKU-1", "SKU-2"], Published().Select(r => r.Sku).Order(StringComparer.Ordinal));
        Assert.Equal(2, result.Errors.Count);
        Assert.Equal("line 4: quantity 'x' is not a number", result.Errors[0]);
        Assert.StartsWith("line 5: the row is not valid CSV", result.Errors[1]);
    }

    [Fact]
    public async Task Blank_lines_do_not_shift_line_numbers_and_a_broken_quote_spoils_only_its_own_row()
    {
        var path = Drop("gaps.csv", string.Join("\n",
            "sku,location,type,quantity,sequence",
            "SKU-1,WH-BER,absolute,1,1",
            "",
            "SKU-2,WH-BER,absolute,\"2,1",
            "",
            "SKU-3,WH-BER,absolute,-3,1",
            "SKU-4,WH-BER,absolute,4,1") + "\n");

        var result = await _drop.ProcessFileAsync(Source, path, CancellationToken.None);

        Assert.Equal(4, result.Rows);
        Assert.Equal(2, result.Accepted);
        Assert.Equal(["SKU-1", "SKU-4"], Published().Select(r => r.Sku).Order(StringComparer.Ordinal));
        Assert.StartsWith("line 4: the row is not valid CSV", result.Errors[0]);
        Assert.Equal("line 6: quantity of an absolute level cannot be negative (got -3)", result.Errors[1]);
    }

    [Fact]
    public async Task A_file_whose_header_lacks_a_column_goes_to_failed_and_publishes_nothing()
    {
        var path = Drop("broken.csv", "sku,location,quantity\nSKU-1,WH-BER,12\n");

        var result = await _drop.ProcessFileAsync(Source, path, CancellationToken.None);

        Assert.Equal(0, result.Accepted);
        Assert.Contains("type", Assert.Single(result.Errors));
        Assert.Empty(Published());
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.Combine(_root, Source, "processed")));
        var failed = Assert.Single(Directory.GetFiles(Path.Combine(_root, Source, "failed"), "*-broken.csv"));
        Assert.StartsWith("broken.csv: 0 of 0 rows accepted, 1 refused", await File.ReadAllTextAsync(failed + ".report.txt"));
    }

    [Fact]
    public async Task An_empty_file_goes_to_failed()
    {
        var path = Drop("empty.csv", "");

        var result = await _drop.ProcessFileAsync(Source, path, CancellationToken.None);

        Assert.Equal(["the file is empty: a header row is required"], result.Errors);
        Assert.Single(Directory.GetFiles(Path.Combine(_root, Source, "failed"), "*-empty.csv"));
    }

    [Fact]
    public async Task Header_names_are_matched_in_any_order_and_case()
    {
        var path = Drop("reordered.csv", "Quantity, TYPE ,Location,SKU,Sequence\n5,absolute,WH-BER,SKU-1,3\n");

        var result = await _drop.ProcessFileAsync(Source, path, CancellationToken.None);

        Assert.Empty(result.Errors);
        var report = Assert.Single(Published());
        Assert.Equal(("SKU-1", "WH-BER", 5m, 3L), (report.Sku, report.SourceLocation, report.Quantity.ToDecimal(), report.SourceSequence));
    }

    [Fact]
    public async Task Scanning_takes_every_waiting_file_of_the_source_oldest_name_first()
    {
        Drop("b.csv", "sku,location,type,quantity,sequence\nSKU-2,WH-BER,absolute,2,1\n");
        Drop("a.csv", "sku,location,type,quantity,sequence\nSKU-1,WH-BER,absolute,1,1\n");
        Drop("notes.txt", "not a stock file");

        var results = await _drop.ScanAsync(Source, _root, CancellationToken.None);

        Assert.Equal(["a.csv", "b.csv"], results.Select(r => r.File));
        Assert.Equal(["notes.txt"], Directory.GetFiles(Path.Combine(_root, Source)).Select(Path.GetFileName));
        Assert.Empty(await _drop.ScanAsync(Source, _root, CancellationToken.None));
        Assert.Empty(await _drop.ScanAsync("unknown", _root, CancellationToken.None));
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
