using Platform.Sandbox.Systems.Stock;

namespace Platform.Sandbox.Systems.Erp;

/// <summary>
/// The ERP's changed-since stock feed, <c>GET /erp/api/v1/stock-changes?after=&amp;limit=</c>: the <c>erp</c> source's
/// change log (see <see cref="StockChangeLog"/>), paged by change id. Counters: <c>stock.pull.requests</c> and
/// <c>stock.pull.changes</c> (changes returned), per source.
/// </summary>
public sealed class ErpStockApi(StockChangeLog log, SandboxCounters counters)
{
    public const string Source = "erp";

    public void MapRest(RouteGroupBuilder routes) => routes.MapGet("/api/v1/stock-changes", (HttpContext context) =>
    {
        var (page, errors) = StockControl.ReadChanges(log, Source, context.Request.Query);
        if (page is null)
        {
            return ErpSalesApi.Invalid(errors);
        }

        counters.Increment("stock.pull.requests", Source);
        counters.Increment("stock.pull.changes", Source, page.Changes.Count);
        return Results.Json(page, SystemJson.CamelCaseWithoutNulls);
    });
}
