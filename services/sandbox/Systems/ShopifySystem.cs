using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems;

public sealed class ShopifyOptions
{
    public const string Section = "Sandbox:Shopify";

    /// <summary>Admin API access token of a custom app, sent as <c>X-Shopify-Access-Token</c>.</summary>
    public string AccessToken { get; set; } = "";

    public long ShopId { get; set; } = 548380009;
    public string ShopName { get; set; } = "Sandbox Shop";
    public string MyshopifyDomain { get; set; } = "sandbox-shop.myshopify.com";
    public string Currency { get; set; } = "EUR";
    public string IanaTimezone { get; set; } = "Europe/Berlin";
    public string CountryCode { get; set; } = "DE";
}

/// <summary>
/// Shopify Admin REST API (<c>/admin/api/{version}/...json</c>), authenticated with <c>X-Shopify-Access-Token</c>.
/// Errors are <c>{"errors": ...}</c>; throttling is 429 with Retry-After, as Shopify's leaky bucket answers.
/// </summary>
public sealed class ShopifySystem(IOptions<ShopifyOptions> options) : SimulatedSystem
{
    public override string Name => "shopify";

    public override string Simulates => "Shopify Admin REST API";

    public override string Authentication => "X-Shopify-Access-Token: <admin API access token>";

    protected override JsonSerializerOptions Json => SystemJson.SnakeCase;

    public override void MapEndpoints(RouteGroupBuilder routes)
    {
        routes.MapGet("/admin/api/{version}/shop.json", () =>
        {
            var shop = options.Value;
            return Results.Json(new
            {
                Shop = new
                {
                    Id = shop.ShopId,
                    Name = shop.ShopName,
                    Domain = shop.MyshopifyDomain,
                    MyshopifyDomain = shop.MyshopifyDomain,
                    shop.Currency,
                    shop.IanaTimezone,
                    shop.CountryCode,
                    PlanName = "partner_test",
                    CreatedAt = "2026-01-05T10:00:00+01:00",
                },
            }, SystemJson.SnakeCase);
        });
    }

    public override bool HasValidCredentials(HttpContext context) =>
        SecretEquals(context.Request.Headers["X-Shopify-Access-Token"].ToString() is { Length: > 0 } token ? token : null, options.Value.AccessToken);

    public override Task WriteUnauthorizedAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new ShopifyError("[API] Invalid API key or access token (unrecognized login or wrong password)"));

    public override Task WriteThrottledAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status429TooManyRequests, new ShopifyError("Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."));

    public override Task WriteErrorAsync(HttpContext context, int status) =>
        WriteJsonAsync(context, status, new ShopifyError(ReasonOf(status)));

    public override Task WriteNotFoundAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status404NotFound, new ShopifyError("Not Found"));

    private sealed record ShopifyError(string Errors);
}
