using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Ctl.Output;

namespace Platform.Ctl.Tests;

public sealed class ReconcileInventoryCommandTests
{
    private const string Key = "reconcile-inventory-test-key";

    private static string[] Reconcile(FakeGrpcServer<FakeInventoryService> server, params string[] args) =>
        ["reconcile", "inventory", "--endpoint-inventory", server.Address.ToString(), "--api-key", Key, .. args];

    private static InventoryReconciliation Agreeing() => new()
    {
        Skus = 1_200,
        Items = 3_450,
        ReconciledAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero)),
    };

    private static StockDrift Drift(string sku, string source, decimal? expected, decimal? actual, bool expectedInStock, bool actualInStock, string target = "magento")
    {
        var drift = new StockDrift { Target = target, Sku = sku, SourceCode = source, ExpectedInStock = expectedInStock, ActualInStock = actualInStock };
        if (expected is { } expectedQuantity)
        {
            drift.ExpectedQuantity = DecimalValue.FromDecimal(expectedQuantity);
        }

        if (actual is { } actualQuantity)
        {
            drift.ActualQuantity = DecimalValue.FromDecimal(actualQuantity);
        }

        return drift;
    }

    private static InventoryReconciliation Drifting(int count, long pendingPushes = 0)
    {
        var reconciliation = Agreeing();
        for (var index = 0; index < count; index++)
        {
            reconciliation.Drifts.Add(Drift($"SKU-{index:000}", "wh-main", 10 + index, 9 + index, true, true));
        }

        reconciliation.Mismatches = count;
        reconciliation.PendingPushes = pendingPushes;
        return reconciliation;
    }

    private static string[] Cells(string line) => line.Split('│', StringSplitOptions.TrimEntries);

    private static string[] DriftRow(string output, string sku) =>
        Cells(Assert.Single(output.Split('\n'), line => line.Contains($"│ {sku} ", StringComparison.Ordinal)));

    private static string SummaryValue(string output, string label) =>
        Cells(Assert.Single(output.Split('\n'), line => line.StartsWith($"│ {label} ", StringComparison.Ordinal)))[2];

    [Fact]
    public async Task Agreeing_stock_exits_zero_and_without_skus_or_target_asks_for_every_sku_of_every_target()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        server.Service.Reconciliation = Agreeing();

        var result = await new CtlRunner().RunAsync(Reconcile(server));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Contains("stock, storefront vs platform: every target, every SKU", result.Out, StringComparison.Ordinal);
        Assert.Contains("reconciled at 2026-11-02 01:00:00Z", result.Out, StringComparison.Ordinal);
        Assert.Equal("1,200", SummaryValue(result.Out, "SKUs"));
        Assert.Equal("3,450", SummaryValue(result.Out, "items (SKU and source)"));
        Assert.Equal("0", SummaryValue(result.Out, "mismatches"));
        Assert.Equal("0", SummaryValue(result.Out, "pending pushes"));
        Assert.Contains("drifts (0)", result.Out, StringComparison.Ordinal);
        Assert.Contains("No mismatches: the storefront holds what the platform computed.", result.Out, StringComparison.Ordinal);
        var (request, apiKey) = Assert.Single(server.Service.Calls);
        Assert.Empty(request.Skus);
        Assert.Equal(string.Empty, request.Target);
        Assert.Equal(Key, apiKey);
    }

    [Fact]
    public async Task Drifts_are_listed_per_target_sku_and_source_and_exit_three()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        var reconciliation = Agreeing();
        reconciliation.Drifts.Add(Drift("TSHIRT-RED-M", "wh-main", 12, 15, true, true));
        reconciliation.Drifts.Add(Drift("ROPE-10M", "wh-north", 2.5m, null, true, false));
        reconciliation.Drifts.Add(Drift("MUG-BLUE", "default", 0, 1_250, false, true, target: "magento-eu"));
        reconciliation.Mismatches = 3;
        reconciliation.PendingPushes = 2;
        server.Service.Reconciliation = reconciliation;

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--target", "magento"));

        Assert.Equal(ExitCodes.Mismatches, result.ExitCode);
        Assert.Contains("stock, storefront vs platform: target magento, every SKU", result.Out, StringComparison.Ordinal);
        Assert.Equal("3", SummaryValue(result.Out, "mismatches"));
        Assert.Equal("2", SummaryValue(result.Out, "pending pushes"));
        Assert.Contains("drifts (3)", result.Out, StringComparison.Ordinal);
        Assert.Contains(result.Out.Split('\n'), line => line.Contains("target", StringComparison.Ordinal) && line.Contains("in stock expected", StringComparison.Ordinal)
            && line.Contains("in stock actual", StringComparison.Ordinal));
        // target, sku, source, expected, actual, in stock expected, in stock actual.
        Assert.Equal(["magento", "TSHIRT-RED-M", "wh-main", "12", "15", "yes", "yes"], DriftRow(result.Out, "TSHIRT-RED-M")[1..8]);
        Assert.Equal(["magento", "ROPE-10M", "wh-north", "2.5", "-", "yes", "no"], DriftRow(result.Out, "ROPE-10M")[1..8]);
        Assert.Equal(["magento-eu", "MUG-BLUE", "default", "0", "1,250", "no", "yes"], DriftRow(result.Out, "MUG-BLUE")[1..8]);
        Assert.Contains("3 mismatch(es).", result.Out, StringComparison.Ordinal);
        Assert.Contains("2 item(s) had a push pending", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("No mismatches", result.Out, StringComparison.Ordinal);
        Assert.Equal("magento", Assert.Single(server.Service.Calls).Request.Target);
    }

    [Fact]
    public async Task A_long_list_of_drifts_is_cut_and_says_how_many_more_there_are()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        server.Service.Reconciliation = Drifting(InventoryReconciliationView.DriftRowLimit + 25);

        var result = await new CtlRunner().RunAsync(Reconcile(server));

        Assert.Equal(ExitCodes.Mismatches, result.ExitCode);
        var rows = result.Out.Split('\n').Where(line => line.StartsWith("│ magento ", StringComparison.Ordinal)).ToList();
        Assert.Equal(InventoryReconciliationView.DriftRowLimit, rows.Count);
        Assert.Equal("SKU-000", Cells(rows[0])[2]);
        Assert.Equal($"SKU-{InventoryReconciliationView.DriftRowLimit - 1:000}", Cells(rows[^1])[2]);
        Assert.DoesNotContain($"SKU-{InventoryReconciliationView.DriftRowLimit:000}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"drifts (first {InventoryReconciliationView.DriftRowLimit} of {InventoryReconciliationView.DriftRowLimit + 25})", result.Out, StringComparison.Ordinal);
        Assert.Contains("... and 25 more; --json lists every drift.", result.Out, StringComparison.Ordinal);
        Assert.Contains($"{InventoryReconciliationView.DriftRowLimit + 25} mismatch(es).", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_carries_every_drift_and_the_same_exit_code()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        var reconciliation = Drifting(InventoryReconciliationView.DriftRowLimit + 5, pendingPushes: 4);
        reconciliation.Drifts.Add(Drift("ROPE-10M", "wh-north", 2.5m, null, true, false));
        reconciliation.Mismatches++;
        server.Service.Reconciliation = reconciliation;

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--sku", "ROPE-10M", "SKU-000", "--target", "magento", "--json"));

        Assert.Equal(ExitCodes.Mismatches, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.DoesNotContain('\u001b', result.Out);
        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.Equal("magento", root.GetProperty("target").GetString());
        Assert.Equal(2, root.GetProperty("skusRequested").GetInt32());
        var json = root.GetProperty("reconciliation");
        // Protobuf's JSON mapping writes 64-bit integers as strings.
        Assert.Equal("56", json.GetProperty("mismatches").GetString());
        Assert.Equal("4", json.GetProperty("pendingPushes").GetString());
        Assert.Equal("1200", json.GetProperty("skus").GetString());
        Assert.Equal("3450", json.GetProperty("items").GetString());
        Assert.Equal("2026-11-02T01:00:00Z", json.GetProperty("reconciledAt").GetString());
        var drifts = json.GetProperty("drifts").EnumerateArray().ToList();
        Assert.Equal(InventoryReconciliationView.DriftRowLimit + 6, drifts.Count);
        var rope = drifts[^1];
        Assert.Equal("magento", rope.GetProperty("target").GetString());
        Assert.Equal("ROPE-10M", rope.GetProperty("sku").GetString());
        Assert.Equal("wh-north", rope.GetProperty("sourceCode").GetString());
        Assert.Equal("2", rope.GetProperty("expectedQuantity").GetProperty("units").GetString());
        Assert.Equal(500_000_000, rope.GetProperty("expectedQuantity").GetProperty("nanos").GetInt32());
        // A quantity the storefront does not hold is absent, not zero: the README tells scripts to expect that.
        Assert.False(rope.TryGetProperty("actualQuantity", out _));
        Assert.Equal("9", drifts[0].GetProperty("actualQuantity").GetProperty("units").GetString());
        Assert.True(rope.GetProperty("expectedInStock").GetBoolean());
        Assert.False(rope.GetProperty("actualInStock").GetBoolean());
        Assert.Equal(["ROPE-10M", "SKU-000"], Assert.Single(server.Service.Calls).Request.Skus);
    }

    [Fact]
    public async Task Skus_from_flags_and_a_file_are_sent_once_each_in_the_order_given()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        server.Service.Reconciliation = Agreeing();
        var file = Path.Combine(Path.GetTempPath(), $"platformctl-skus-{Guid.NewGuid():N}.txt");
        // An export as spreadsheets write it: CRLF, padding, blank lines, a SKU also named on the command line.
        await File.WriteAllTextAsync(file, "  MUG-BLUE \r\n\r\nTSHIRT-RED-M\r\n#HASH-SKU\r\nROPE-10M\n\n");
        try
        {
            var result = await new CtlRunner().RunAsync(Reconcile(server, "--sku", "TSHIRT-RED-M", "--sku", "CAP-1", "CAP-2", "--skus-file", file));

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Equal(["TSHIRT-RED-M", "CAP-1", "CAP-2", "MUG-BLUE", "#HASH-SKU", "ROPE-10M"], Assert.Single(server.Service.Calls).Request.Skus);
            Assert.Contains("stock, storefront vs platform: every target, 6 SKU(s) asked", result.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_skus_file_of_dash_is_read_from_standard_input()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        server.Service.Reconciliation = Agreeing();
        var ctl = new CtlRunner { StandardInput = "SKU-A\nSKU-B\n" };

        var result = await ctl.RunAsync(Reconcile(server, "--skus-file", "-", "--json"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(["SKU-A", "SKU-B"], Assert.Single(server.Service.Calls).Request.Skus);
        using var document = JsonDocument.Parse(result.Out);
        Assert.Equal(2, document.RootElement.GetProperty("skusRequested").GetInt32());
    }

    [Fact]
    public async Task A_missing_skus_file_is_a_usage_error_that_names_it_and_calls_nothing()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        var missing = Path.Combine(Path.GetTempPath(), $"platformctl-no-such-skus-{Guid.NewGuid():N}.txt");

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--skus-file", missing, "--json"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"platformctl: --skus-file {missing}: no such file.", result.Error.Trim());
        Assert.Empty(result.Out);
        Assert.Empty(server.Service.Calls);
    }

    [Fact]
    public async Task A_skus_file_without_skus_is_refused_rather_than_read_as_every_sku()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        var file = Path.Combine(Path.GetTempPath(), $"platformctl-skus-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(file, "\n   \r\n");
        try
        {
            var result = await new CtlRunner().RunAsync(Reconcile(server, "--skus-file", file));

            Assert.Equal(ExitCodes.Usage, result.ExitCode);
            Assert.Equal(
                $"platformctl: --skus-file {file} holds no SKUs; to reconcile every SKU, leave out --sku and --skus-file.",
                result.Error.Trim());
            Assert.Empty(server.Service.Calls);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("--skus-file {tmp}: is a directory", "--skus-file", "{tmp}")]
    [InlineData("--sku: a SKU must not be empty", "--sku", "SKU-1", "--sku", " ")]
    [InlineData("--target: give a target name", "--target", "")]
    [InlineData("no standard input", "--skus-file", "-")]
    [InlineData("--skus-file", "--skus-file")]
    [InlineData("Unrecognized", "--store", "default")]
    public async Task Bad_arguments_are_usage_errors_that_call_nothing(string expectedError, params string[] args)
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        var tmp = Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar);

        string Resolve(string text) => text.Replace("{tmp}", tmp, StringComparison.Ordinal);

        var result = await new CtlRunner().RunAsync(Reconcile(server, [.. args.Select(Resolve)]));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(Resolve(expectedError), result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Out);
        Assert.Empty(server.Service.Calls);
    }

    [Fact]
    public async Task A_target_the_service_refuses_is_a_usage_error_with_the_services_reason()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        server.Service.Refusal = new Status(StatusCode.InvalidArgument, "no enabled stock target is named 'shopify'");

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--target", "shopify"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            $"platformctl: inventory ({server.Address.GetLeftPart(UriPartial.Authority)}) refused ReconcileInventory: no enabled stock target is named 'shopify'",
            result.Error.Trim());
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task A_reconciliation_slower_than_the_timeout_exits_with_the_timeout_code()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        server.Service.Reconciliation = Agreeing();
        server.Service.Delay = TimeSpan.FromSeconds(5);

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--timeout", "300ms"));

        Assert.Equal(ExitCodes.Timeout, result.ExitCode);
        Assert.Contains("did not answer ReconcileInventory within 300ms; raise --timeout", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_address_comes_from_the_environment_like_every_other_service()
    {
        await using var server = await FakeGrpcServer<FakeInventoryService>.StartAsync();
        server.Service.Reconciliation = Agreeing();
        var ctl = new CtlRunner
        {
            Environment = { ["PLATFORMCTL_ENDPOINT_INVENTORY"] = server.Address.ToString(), ["PLATFORMCTL_API_KEY"] = Key },
        };

        var result = await ctl.RunAsync("reconcile", "inventory", "--sku", "SKU-1");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var (request, apiKey) = Assert.Single(server.Service.Calls);
        Assert.Equal(["SKU-1"], request.Skus);
        Assert.Equal(Key, apiKey);
    }

    [Fact]
    public async Task The_real_inventory_service_wants_an_admin_key_for_a_reconciliation()
    {
        await using var host = await TestServiceHost.StartAsync("inventory");
        string[] reconcile = ["reconcile", "inventory", "--endpoint-inventory", host.GrpcAddress];

        var anonymous = await new CtlRunner().RunAsync(reconcile);
        var reader = await new CtlRunner().RunAsync([.. reconcile, "--api-key", TestServiceHost.ReaderKey]);

        Assert.Equal(ExitCodes.Unauthenticated, anonymous.ExitCode);
        Assert.Contains("refused ReconcileInventory: no API key", anonymous.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.PermissionDenied, reader.ExitCode);
        Assert.Contains("inventory.admin for dead letters and reconciliation", reader.Error, StringComparison.Ordinal);
    }
}
