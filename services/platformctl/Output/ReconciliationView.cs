using Platform.Contracts.Common.V1;
using Platform.Contracts.Order.V1;
using Spectre.Console;

namespace Platform.Ctl.Output;

public static class ReconciliationView
{
    public static void Render(IAnsiConsole console, OrderReconciliation reconciliation, string storeCode)
    {
        var scope = storeCode.Length == 0 ? "every store" : "store " + storeCode;
        console.Write(new Rule(
            $"orders, storefront vs ERP: {Format.Time(reconciliation.From)} to {Format.Time(reconciliation.To)}, {Markup.Escape(scope)}").LeftJustified());
        console.MarkupLine($"[grey]reconciled at {Format.Time(reconciliation.ReconciledAt)}[/]");

        var counts = new Table().Border(TableBorder.Rounded).AddColumns("", "storefront", "ERP");
        counts.Columns[1].RightAligned();
        counts.Columns[2].RightAligned();
        counts.AddRow("orders", Format.Count(reconciliation.StorefrontOrders), Format.Count(reconciliation.ErpOrders));
        console.Write(counts);

        console.Write(Totals(reconciliation.StorefrontTotals, reconciliation.ErpTotals));

        IdList(console, "missing in ERP", reconciliation.MissingInErp);
        IdList(console, "extra in ERP", reconciliation.ExtraInErp);
        if (reconciliation.Different.Count > 0)
        {
            var different = new Table().Border(TableBorder.Rounded).Title($"different ({reconciliation.Different.Count})")
                .AddColumns("order", "field", "storefront", "ERP");
            foreach (var difference in reconciliation.Different)
            {
                different.AddRow(
                    Markup.Escape(difference.OrderId),
                    Markup.Escape(difference.Field),
                    Markup.Escape(difference.StorefrontValue),
                    Markup.Escape(difference.ErpValue));
            }

            console.Write(different);
        }
        else
        {
            console.MarkupLine("different (0)");
        }

        console.MarkupLine(reconciliation.Mismatches == 0
            ? "[green]No mismatches: the storefront and the ERP agree.[/]"
            : $"[red]{Format.Count(reconciliation.Mismatches)} mismatch(es).[/]");
    }

    private static Table Totals(IEnumerable<CurrencyTotal> storefront, IEnumerable<CurrencyTotal> erp)
    {
        var byCurrency = new SortedDictionary<string, (CurrencyTotal? Storefront, CurrencyTotal? Erp)>(StringComparer.Ordinal);
        foreach (var total in storefront)
        {
            byCurrency[Currency(total)] = (total, null);
        }

        foreach (var total in erp)
        {
            byCurrency[Currency(total)] = (byCurrency.GetValueOrDefault(Currency(total)).Storefront, total);
        }

        var table = new Table().Border(TableBorder.Rounded).Title("totals per currency")
            .AddColumns("currency", "storefront", "orders", "ERP", "orders", "difference");
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }

        foreach (var (currency, (left, right)) in byCurrency)
        {
            var leftAmount = left?.Total?.ToDecimal() ?? 0m;
            var rightAmount = right?.Total?.ToDecimal() ?? 0m;
            var difference = leftAmount - rightAmount;
            table.AddRow(
                Markup.Escape(currency),
                left?.Total is null ? "-" : Format.Amount(left.Total),
                left is null ? "-" : Format.Count(left.Orders),
                right?.Total is null ? "-" : Format.Amount(right.Total),
                right is null ? "-" : Format.Count(right.Orders),
                difference == 0 ? "0" : $"[red]{Format.Amount(Money.FromDecimal(difference, currency))}[/]");
        }

        if (byCurrency.Count == 0)
        {
            table.AddRow("[grey]no orders[/]", "-", "-", "-", "-", "-");
        }

        return table;
    }

    private static string Currency(CurrencyTotal total) => total.Total?.CurrencyCode is { Length: > 0 } code ? code : "?";

    private static void IdList(IAnsiConsole console, string title, IReadOnlyCollection<string> ids)
    {
        console.MarkupLine($"{title} ({ids.Count}){(ids.Count == 0 ? string.Empty : ":")}");
        foreach (var id in ids)
        {
            console.MarkupLine("  " + Markup.Escape(id));
        }
    }
}
