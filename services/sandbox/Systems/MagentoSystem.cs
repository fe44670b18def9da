using System.Text.Json;
using Microsoft.Extensions.Options;
using Platform.Sandbox.Systems.Magento;

namespace Platform.Sandbox.Systems;

public sealed class MagentoOptions
{
    public const string Section = "Sandbox:Magento";

    /// <summary>Integration access token (Admin > System > Integrations), sent as <c>Authorization: Bearer</c>.</summary>
    public string AccessToken { get; set; } = "";

    public List<MagentoStoreView> StoreViews { get; set; } =
    [
        new() { Id = 0, Code = "admin", Name = "Admin", WebsiteId = 0, StoreGroupId = 0 },
        new() { Id = 1, Code = "default", Name = "Default Store View", WebsiteId = 1, StoreGroupId = 1 },
    ];

    /// <summary>
    /// Signs the order webhooks of every store (see the README); <see cref="WebhookSecrets"/> overrides it per store code.
    /// Only needed once <see cref="Webhooks"/> has a URL.
    /// </summary>
    public string WebhookSecret { get; set; } = "";

    public Dictionary<string, string> WebhookSecrets { get; set; } = new(StringComparer.Ordinal);

    public MagentoWebhookSettings Webhooks { get; set; } = new();

    /// <summary>How many webhook deliveries may be in flight at once; fixed at start.</summary>
    public int WebhookConcurrency { get; set; } = 4;

    public MagentoOrderDefaults Orders { get; set; } = new();

    /// <summary>
    /// Magento's web API input limit (Stores > Configuration > Services > Web API Input Limits, 2.4.7+): at most this many
    /// entries in one array of a request, e.g. <c>sourceItems</c>; 0 turns the limit off, as a store without it enabled.
    /// </summary>
    public int InputLimit { get; set; } = 20;

    /// <summary>
    /// MSI source codes besides <c>default</c>, which every Magento has and cannot delete. More can be added at run time
    /// with <c>POST /_sandbox/magento/sources</c>.
    /// </summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>How long an accepted async bulk request waits before the simulated consumer applies its operations.</summary>
    public int BulkDelayMs { get; set; } = 50;

    /// <summary>The store views that take orders: all but the admin store (id 0).</summary>
    public IEnumerable<MagentoStoreView> OrderStores() => StoreViews.Where(view => view.Id != 0);

    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(AccessToken))
        {
            return "AccessToken is required";
        }

        if (Webhooks.Validate() is { Count: > 0 } errors)
        {
            return "Webhooks: " + string.Join("; ", errors.Select(error => $"{error.Key} {error.Value[0]}"));
        }

        if (Webhooks.Url is not null && OrderStores().FirstOrDefault(view =>
                string.IsNullOrEmpty(WebhookSecrets.GetValueOrDefault(view.Code)) && string.IsNullOrEmpty(WebhookSecret)) is { } unsigned)
        {
            return $"WebhookSecret is required to send webhooks (store '{unsigned.Code}' has none)";
        }

        if (WebhookConcurrency is < 1 or > 64)
        {
            return "WebhookConcurrency must be between 1 and 64";
        }

        if (InputLimit < 0)
        {
            return "InputLimit must not be negative (0 turns the limit off)";
        }

        if (Sources.FirstOrDefault(code => !MagentoSourceItems.IsValidSourceCode(code)) is { } badSource)
        {
            return $"Sources: '{badSource}' is not a source code (not empty, no whitespace)";
        }

        if (BulkDelayMs is < 0 or > 600_000)
        {
            return "BulkDelayMs must be between 0 and 600000";
        }

        return Orders.GuestShare is < 0 or > 1 || Orders.InvoicedShare is < 0 or > 1
            ? "Orders: GuestShare and InvoicedShare must be between 0 and 1"
            : null;
    }
}

public sealed class MagentoStoreView
{
    public int Id { get; set; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public int WebsiteId { get; set; }
    public int StoreGroupId { get; set; }
    public int IsActive { get; set; } = 1;
}

/// <summary>
/// Magento 2 / Adobe Commerce REST (<c>/rest/{store_code}/V1/...</c>), authenticated with an integration's bearer token.
/// Errors are <c>{"message": ..., "parameters": ...}</c> as Magento's web API writes them. Sales entities (orders,
/// invoices, shipments, credit memos) live in <see cref="MagentoSales"/>; their endpoints are in <see cref="MagentoSalesApi"/>.
/// MSI source items live in <see cref="MagentoSourceItems"/>, the async bulk queue in <see cref="MagentoBulks"/>; their
/// endpoints are in <see cref="MagentoInventoryApi"/>.
/// </summary>
public sealed class MagentoSystem(
    IOptions<MagentoOptions> options,
    MagentoSales sales,
    MagentoWebhooks webhooks,
    MagentoOrderGenerator generator,
    MagentoSourceItems sourceItems,
    MagentoBulks bulks,
    SandboxCounters counters) : SimulatedSystem
{
    public override string Name => "magento";

    public override string Simulates =>
        "Magento 2 / Adobe Commerce REST API (store views, orders, invoices, shipments, credit memos, MSI source items, async bulk) and order webhooks";

    public override string Authentication => "Authorization: Bearer <integration access token>";

    protected override JsonSerializerOptions Json => SystemJson.SnakeCaseWithoutNulls;

    public override void MapEndpoints(RouteGroupBuilder routes)
    {
        // {store} is a store view code, or "all"/"default"; Magento resolves it before the ACL check.
        routes.MapGet("/rest/{store}/V1/store/storeViews", (string store, HttpContext context) =>
            KnownStore(store)
                ? Results.Json(options.Value.StoreViews, SystemJson.SnakeCaseWithoutNulls)
                : Results.Json(new MagentoError("The store that was requested wasn't found. Verify the store and try again."), SystemJson.SnakeCaseWithoutNulls, statusCode: StatusCodes.Status400BadRequest))
            .WithMetadata(new MagentoAclResource("Magento_Backend::store"));

        new MagentoSalesApi(options.Value, sales, webhooks, generator).MapRest(routes);
        new MagentoInventoryApi(options.Value, sourceItems, bulks, counters).MapRest(routes);
    }

    public override void MapControlEndpoints(RouteGroupBuilder control)
    {
        new MagentoSalesApi(options.Value, sales, webhooks, generator).MapControl(control);
        new MagentoInventoryApi(options.Value, sourceItems, bulks, counters).MapControl(control);
    }

    public override bool HasValidCredentials(HttpContext context) => SecretEquals(BearerToken(context), options.Value.AccessToken);

    public override Task WriteUnauthorizedAsync(HttpContext context)
    {
        var resource = context.GetEndpoint()?.Metadata.GetMetadata<MagentoAclResource>()?.Resource ?? "Magento_Backend::admin";
        return WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new MagentoError(
            "The consumer isn't authorized to access %resources.",
            new Dictionary<string, string> { ["resources"] = resource }));
    }

    public override Task WriteThrottledAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status429TooManyRequests, new MagentoError("Too many requests. Please try again later."));

    public override Task WriteErrorAsync(HttpContext context, int status) =>
        WriteJsonAsync(context, status, new MagentoError(status == StatusCodes.Status500InternalServerError
            ? $"Internal Error. Details are available in Magento log file. Report ID: webapi-{Guid.NewGuid():N}"
            : ReasonOf(status)));

    public override Task WriteNotFoundAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status404NotFound, new MagentoError("Request does not match any route."));

    private bool KnownStore(string store) =>
        store is "all" || options.Value.StoreViews.Any(view => string.Equals(view.Code, store, StringComparison.Ordinal));

}

/// <summary>The body of every Magento web API error.</summary>
public sealed record MagentoError(string Message, Dictionary<string, string>? Parameters = null);

/// <summary>The ACL resource Magento names in its 401 for an endpoint.</summary>
public sealed record MagentoAclResource(string Resource);
