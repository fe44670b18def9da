using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Spectre.Console;

namespace Platform.Ctl.Output;

public static class InventoryReconciliationView
{
    // A full run over a catalogue can drift on thousands of items after an outage; the first rows show the pattern
    // (one target, one source, a run of SKUs) and --json carries every drift for a script to act on.
    public const int DriftRowLimit = 50;

    public static void Render(IAnsiConsole console, InventoryReconciliation reconciliation, string target, int skusRequested)
    {
        var targets = target.Length == 0 ? "every target" : "target " + target;
        var skus = skusRequested == 0 ? "every SKU" : $"{Format.Count(skusRequested)} SKU(s) asked";
        console.Write(new Rule($"stock, storefront vs platform: {Markup.Escape(targets)}, {skus}").LeftJustified());
        console.MarkupLine($"[grey]reconciled at {Format.Time(reconciliation.ReconciledAt)}[/]");

        var summary = new Table().Border(TableBorder.Rounded).HideHeaders().AddColumns("", "");
        summary.Columns[1].RightAligned();
        summary.AddRow("SKUs", Format.Count(reconciliation.Skus));
        summary.AddRow("items (SKU and source)", Format.Count(reconciliation.Items));
        summary.AddRow("mismatches", reconciliation.Mismatches == 0 ? "0" : $"[red]{Format.Count(reconciliation.Mismatches)}[/]");
        summary.AddRow("pending pushes", reconciliation.PendingPushes == 0 ? "0" : $"[yellow]{Format.Count(reconciliation.PendingPushes)}[/]");
        console.Write(summary);

        var drifts = reconciliation.Drifts;
        if (drifts.Count > 0)
        {
            var shown = Math.Min(drifts.Count, DriftRowLimit);
            var title = shown == drifts.Count ? $"drifts ({drifts.Count})" : $"drifts (first {shown} of {Format.Count(drifts.Count)})";
            var table = new Table().Border(TableBorder.Rounded).Title(title)
                .AddColumns("target", "sku", "source", "expected", "actual", "in stock expected", "in stock actual");
            table.Columns[3].RightAligned();
            table.Columns[4].RightAligned();
            foreach (var drift in drifts.Take(shown))
            {
                var quantityDiffers = !SameQuantity(drift.ExpectedQuantity, drift.ActualQuantity);
                var statusDiffers = drift.ExpectedInStock != drift.ActualInStock;
                table.AddRow(
                    Markup.Escape(drift.Target),
                    Markup.Escape(drift.Sku),
                    Markup.Escape(drift.SourceCode),
                    Format.Quantity(drift.ExpectedQuantity),
                    Flag(Format.Quantity(drift.ActualQuantity), quantityDiffers),
                    YesNo(drift.ExpectedInStock),
                    Flag(YesNo(drift.ActualInStock), statusDiffers));
            }

            console.Write(table);
            if (drifts.Count > shown)
            {
                console.MarkupLine($"... and {Format.Count(drifts.Count - shown)} more; --json lists every drift.");
            }
        }
        else
        {
            console.MarkupLine("drifts (0)");
        }

        if (reconciliation.Mismatches == 0)
        {
            console.MarkupLine("[green]No mismatches: the storefront holds what the platform computed.[/]");
            return;
        }

        console.MarkupLine($"[red]{Format.Count(reconciliation.Mismatches)} mismatch(es).[/]");
        if (reconciliation.PendingPushes > 0)
        {
            console.MarkupLine(
                $"[yellow]{Format.Count(reconciliation.PendingPushes)} item(s) had a push pending: drifts among them may clear once it is sent; "
                + "run again after the coalescing window.[/]");
        }
    }

    // Messages compare by value, and an absent quantity differs from a zero one: the storefront holding no source
    // item is not the same as holding zero.
    private static bool SameQuantity(DecimalValue? expected, DecimalValue? actual) =>
        expected is null ? actual is null : actual is not null && expected.ToDecimal() == actual.ToDecimal();

    private static string Flag(string value, bool differs) => differs ? $"[red]{Markup.Escape(value)}[/]" : Markup.Escape(value);

    private static string YesNo(bool value) => value ? "yes" : "no";
}
