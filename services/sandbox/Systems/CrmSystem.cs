using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems;

public sealed class CrmOptions
{
    public const string Section = "Sandbox:Crm";

    /// <summary>Private app access token sent as <c>Authorization: Bearer</c>.</summary>
    public string AccessToken { get; set; } = "";

    public long PortalId { get; set; } = 62515;
    public string TimeZone { get; set; } = "Europe/Berlin";
    public string CompanyCurrency { get; set; } = "EUR";
}

/// <summary>
/// A HubSpot-style CRM (contacts API under <c>/crm/v3/...</c>, account details under <c>/account-info/v3/...</c>) with a
/// private-app bearer token. Errors are <c>{"status": "error", "message", "correlationId", "category"}</c>.
/// </summary>
public sealed class CrmSystem(IOptions<CrmOptions> options) : SimulatedSystem
{
    public override string Name => "crm";

    public override string Simulates => "HubSpot-style CRM API (contacts)";

    public override string Authentication => "Authorization: Bearer <private app access token>";

    protected override JsonSerializerOptions Json => SystemJson.CamelCase;

    public override void MapEndpoints(RouteGroupBuilder routes)
    {
        routes.MapGet("/account-info/v3/details", () => Results.Json(new
        {
            options.Value.PortalId,
            AccountType = "STANDARD",
            options.Value.TimeZone,
            options.Value.CompanyCurrency,
            AdditionalCurrencies = Array.Empty<string>(),
            UtcOffset = "+01:00",
            UtcOffsetMilliseconds = 3_600_000,
            UiDomain = "app-eu1.hubspot.com",
            DataHostingLocation = "eu1",
        }, SystemJson.CamelCase));
    }

    public override bool HasValidCredentials(HttpContext context) => SecretEquals(BearerToken(context), options.Value.AccessToken);

    public override Task WriteUnauthorizedAsync(HttpContext context) => WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new CrmError(
        BearerToken(context) is null
            ? "Authentication credentials not found. This API supports OAuth 2.0 authentication."
            : "The access token provided is invalid or has expired.",
        "INVALID_AUTHENTICATION"));

    public override Task WriteThrottledAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status429TooManyRequests, new CrmError("You have reached your secondly limit.", "RATE_LIMITS"));

    public override Task WriteErrorAsync(HttpContext context, int status) =>
        WriteJsonAsync(context, status, new CrmError(ReasonOf(status), status >= 500 ? "INTERNAL_ERROR" : "VALIDATION_ERROR"));

    public override Task WriteNotFoundAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status404NotFound, new CrmError("resource not found", "OBJECT_NOT_FOUND"));

    private sealed record CrmError(string Message, string Category)
    {
        public string Status => "error";

        public string CorrelationId { get; } = Guid.NewGuid().ToString();
    }
}
