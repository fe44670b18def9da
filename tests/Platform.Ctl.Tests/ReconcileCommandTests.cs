using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Order.V1;
using Platform.Ctl.Output;

namespace Platform.Ctl.Tests;

public sealed class ReconcileCommandTests
{
    private const string Key = "reconcile-test-key";

    private static string[] Reconcile(FakeGrpcServer<FakeOrderService> server, params string[] args) =>
        ["reconcile", "orders", "--endpoint-order", server.Address.ToString(), "--api-key", Key, .. args];

    private static OrderReconciliation Agreeing() => new()
    {
        From = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero)),
        To = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero)),
        StorefrontOrders = 120,
        ErpOrders = 120,
        StorefrontTotals = { new CurrencyTotal { Total = Money.FromDecimal(10_250.50m, "EUR"), Orders = 120 } },
        ErpTotals = { new CurrencyTotal { Total = Money.FromDecimal(10_250.50m, "EUR"), Orders = 120 } },
        ReconciledAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero)),
    };

    private static OrderReconciliation Disagreeing()
    {
        var reconciliation = Agreeing();
        reconciliation.ErpOrders = 119;
        reconciliation.ErpTotals.Clear();
        reconciliation.ErpTotals.Add(new CurrencyTotal { Total = Money.FromDecimal(10_150.25m, "EUR"), Orders = 118 });
        reconciliation.ErpTotals.Add(new CurrencyTotal { Total = Money.FromDecimal(99.90m, "USD"), Orders = 1 });
        reconciliation.MissingInErp.Add(["default-000000501", "default-000000502"]);
        reconciliation.ExtraInErp.Add("us-000000007");
        reconciliation.Different.Add(new OrderDifference { OrderId = "default-000000333", Field = "grand_total", StorefrontValue = "49.90 EUR", ErpValue = "45.90 EUR" });
        reconciliation.Mismatches = 4;
        return reconciliation;
    }

    [Fact]
    public async Task Agreeing_systems_exit_zero_and_the_request_carries_the_window_store_and_key()
    {
        await using var server = await FakeGrpcServer<FakeOrderService>.StartAsync();
        server.Service.Reconciliation = Agreeing();

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--from", "2026-11-01", "--to", "2026-11-02T01:00:00+01:00", "--store", "default"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("No mismatches: the storefront and the ERP agree.", result.Out, StringComparison.Ordinal);
        Assert.Contains("10,250.50", result.Out, StringComparison.Ordinal);
        var (request, apiKey) = Assert.Single(server.Service.Calls);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), request.From.ToDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero), request.To.ToDateTimeOffset());
        Assert.Equal("default", request.StoreCode);
        Assert.Equal(Key, apiKey);
    }

    [Fact]
    public async Task Mismatches_are_listed_with_totals_per_currency_and_exit_three()
    {
        await using var server = await FakeGrpcServer<FakeOrderService>.StartAsync();
        server.Service.Reconciliation = Disagreeing();

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--from", "2026-11-01", "--to", "2026-11-02"));

        Assert.Equal(ExitCodes.Mismatches, result.ExitCode);
        var lines = result.Out.Split('\n');
        Assert.Contains(lines, line => line.Contains("│ orders ", StringComparison.Ordinal) && line.Contains("120", StringComparison.Ordinal) && line.Contains("119", StringComparison.Ordinal));
        var eur = Assert.Single(lines, line => line.Contains("│ EUR ", StringComparison.Ordinal)).Split('│', StringSplitOptions.TrimEntries);
        Assert.Equal(["EUR", "10,250.50", "120", "10,150.25", "118", "100.25"], eur[1..7]);
        var usd = Assert.Single(lines, line => line.Contains("│ USD ", StringComparison.Ordinal)).Split('│', StringSplitOptions.TrimEntries);
        Assert.Equal(["USD", "-", "-", "99.90", "1", "-99.90"], usd[1..7]);
        Assert.Contains("missing in ERP (2):", result.Out, StringComparison.Ordinal);
        Assert.Contains("  default-000000501", result.Out, StringComparison.Ordinal);
        Assert.Contains("extra in ERP (1):", result.Out, StringComparison.Ordinal);
        Assert.Contains("  us-000000007", result.Out, StringComparison.Ordinal);
        Assert.Contains(lines, line => line.Contains("default-000000333", StringComparison.Ordinal) && line.Contains("grand_total", StringComparison.Ordinal)
            && line.Contains("49.90 EUR", StringComparison.Ordinal) && line.Contains("45.90 EUR", StringComparison.Ordinal));
        Assert.Contains("4 mismatch(es).", result.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, Assert.Single(server.Service.Calls).Request.StoreCode);
    }

    [Fact]
    public async Task Json_output_carries_the_reconciliation_and_the_same_exit_code()
    {
        await using var server = await FakeGrpcServer<FakeOrderService>.StartAsync();
        server.Service.Reconciliation = Disagreeing();

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--from", "2026-11-01", "--to", "2026-11-02", "--json"));

        Assert.Equal(ExitCodes.Mismatches, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var reconciliation = document.RootElement.GetProperty("reconciliation");
        Assert.Equal("4", reconciliation.GetProperty("mismatches").GetString());
        Assert.Equal(["default-000000501", "default-000000502"], reconciliation.GetProperty("missingInErp").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("grand_total", reconciliation.GetProperty("different")[0].GetProperty("field").GetString());
        Assert.Equal("USD", reconciliation.GetProperty("erpTotals")[1].GetProperty("total").GetProperty("currencyCode").GetString());
    }

    [Fact]
    public async Task A_reconciliation_slower_than_the_timeout_exits_with_the_timeout_code()
    {
        await using var server = await FakeGrpcServer<FakeOrderService>.StartAsync();
        server.Service.Reconciliation = Agreeing();
        server.Service.Delay = TimeSpan.FromSeconds(5);

        var result = await new CtlRunner().RunAsync(Reconcile(server, "--from", "2026-11-01", "--to", "2026-11-02", "--timeout", "300ms"));

        Assert.Equal(ExitCodes.Timeout, result.ExitCode);
        Assert.Contains("did not answer ReconcileOrders within 300ms; raise --timeout", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from", "2026-11-02", "--to", "2026-11-01")]
    [InlineData("--from", "yesterday", "--to", "2026-11-01")]
    [InlineData("--to", "2026-11-01")]
    public async Task A_bad_window_is_a_usage_error_and_calls_nothing(params string[] window)
    {
        await using var server = await FakeGrpcServer<FakeOrderService>.StartAsync();

        var result = await new CtlRunner().RunAsync(Reconcile(server, window));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Empty(server.Service.Calls);
    }
}
