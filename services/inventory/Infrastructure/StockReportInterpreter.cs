using Microsoft.Extensions.Options;
using Platform.Contracts.Inventory.V1;
using Platform.Inventory.Domain;

namespace Platform.Inventory.Infrastructure;

/// <summary>A report as received, and either the figure it means for the SKU or why it cannot be applied.</summary>
public sealed record InterpretedReport(StockReported Message, StockReport? Report, string? Rejection);

/// <summary>
/// Turns received reports into figures for the SKU aggregate: the source must be configured, the SKU published by the
/// catalog, and the source's warehouse code mapped to a platform location. Looks up every SKU of a batch in one read.
/// </summary>
public sealed class StockReportInterpreter(StockStore store, LocationMap locations, IOptionsMonitor<InventoryOptions> options)
{
    public async Task<IReadOnlyList<InterpretedReport>> InterpretAsync(IReadOnlyList<StockReported> reports, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var known = settings.RequireKnownSku
            ? await store.KnownSkusAsync(reports.Select(r => r.Sku).Where(sku => !string.IsNullOrWhiteSpace(sku)).Distinct(StringComparer.Ordinal).ToList(), cancellationToken)
            : null;
        var interpreted = new List<InterpretedReport>(reports.Count);
        foreach (var report in reports)
        {
            interpreted.Add(await InterpretAsync(report, settings, known, cancellationToken));
        }

        return interpreted;
    }

    private async Task<InterpretedReport> InterpretAsync(StockReported report, InventoryOptions settings, IReadOnlySet<string>? known, CancellationToken cancellationToken)
    {
        InterpretedReport Reject(string reason) => new(report, null, $"{reason} ({report.Reference})");

        if (!settings.Sources.TryGetValue(report.Source, out var source))
        {
            return Reject($"unknown stock source '{report.Source}'");
        }

        if (string.IsNullOrWhiteSpace(report.Sku))
        {
            return Reject("the report names no SKU");
        }

        if (known is not null && !known.Contains(report.Sku))
        {
            return Reject($"unknown SKU '{report.Sku}': the catalog has not published it");
        }

        var location = await locations.ResolveAsync(report.Source, report.SourceLocation, cancellationToken);
        if (location is null)
        {
            return Reject($"unknown location '{report.SourceLocation}' of source '{report.Source}': Inventory:Locations does not map it");
        }

        decimal quantity;
        try
        {
            quantity = report.Quantity?.ToDecimal() ?? throw new InvalidOperationException("quantity is missing");
        }
        catch (InvalidOperationException ex)
        {
            return Reject(ex.Message);
        }

        return new InterpretedReport(report, new StockReport(
            report.Source,
            source.Reports,
            location,
            report.Kind == StockReportKind.Adjustment ? ReportKind.Adjustment : ReportKind.Snapshot,
            quantity,
            report.SourceSequence,
            report.MeasuredAt?.ToDateTimeOffset(),
            report.ReceivedAt?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow), null);
    }
}
