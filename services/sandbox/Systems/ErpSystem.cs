using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Sandbox.Systems.Erp;
using Platform.Sandbox.Systems.Stock;

namespace Platform.Sandbox.Systems;

public sealed class ErpOptions
{
    public const string Section = "Sandbox:Erp";

    /// <summary>API key sent as <c>X-Api-Key</c>.</summary>
    public string ApiKey { get; set; } = "";

    public string CompanyCode { get; set; } = "SANDBOX";
    public string CompanyName { get; set; } = "Sandbox Trading GmbH";
    public string BaseCurrency { get; set; } = "EUR";

    /// <summary>SKUs the item master does not have: sales orders and credit notes naming one get 422 UNKNOWN_SKU.</summary>
    public List<string> RejectedSkus { get; set; } = [];

    /// <summary>When set, only SKUs matching this regular expression (the whole SKU) are known.</summary>
    public string? KnownSkuPattern { get; set; }

    public ErpSkuSettings SkuSettings() => new() { RejectedSkus = [.. RejectedSkus], KnownSkuPattern = KnownSkuPattern };

    public string? Problem() => string.IsNullOrWhiteSpace(ApiKey) ? "ApiKey is required" : ErpSkuPolicy.Problem(SkuSettings());
}

/// <summary>
/// The generic ERP the platform integrates with: a JSON REST API under <c>/api/v1</c> with an API key header and
/// RFC 9457 problem details for errors (there is no single real ERP API to copy; this is the contract the ERP connector
/// and this simulation share, written down in the sandbox README).
/// </summary>
public sealed class ErpSystem(IOptions<ErpOptions> options, ErpLedger ledger, ErpSkuPolicy skus, StockChangeLog stockChanges, SandboxCounters counters)
    : SimulatedSystem
{
    public override string Name => "erp";

    public override string Simulates => "generic ERP REST API (sales orders with revisions, cancellations, credit notes, changed-since stock feed)";

    public override string Authentication => "X-Api-Key: <api key>";

    protected override JsonSerializerOptions Json => SystemJson.CamelCase;

    public override void MapEndpoints(RouteGroupBuilder routes)
    {
        routes.MapGet("/api/v1/company", () => Results.Json(new
        {
            options.Value.CompanyCode,
            Name = options.Value.CompanyName,
            options.Value.BaseCurrency,
            ApiVersion = "1",
        }, SystemJson.CamelCase));

        new ErpSalesApi(ledger, skus).MapRest(routes);
        new ErpStockApi(stockChanges, counters).MapRest(routes);
    }

    public override void MapControlEndpoints(RouteGroupBuilder control) => new ErpSalesApi(ledger, skus).MapControl(control);

    public override bool HasValidCredentials(HttpContext context) =>
        SecretEquals(context.Request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key ? key : null, options.Value.ApiKey);

    public override Task WriteUnauthorizedAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "ApiKey header=\"X-Api-Key\"";
        return WriteProblemAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized");
    }
}
