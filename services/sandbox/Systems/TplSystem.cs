using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems;

public sealed class TplOptions
{
    public const string Section = "Sandbox:Tpl";

    /// <summary>API token sent as <c>Authorization: Bearer</c>.</summary>
    public string ApiToken { get; set; } = "";

    public string AccountId { get; set; } = "sandbox-3pl";
    public string AccountName { get; set; } = "Sandbox Fulfilment";
    public List<string> Warehouses { get; set; } = ["wh-berlin", "wh-rotterdam"];
}

/// <summary>
/// The generic 3PL / WMS: a JSON REST API under <c>/api/v1</c> with a bearer token, which also sends shipment and
/// return webhooks to the platform (no single real 3PL API to copy; the contract is written down in the sandbox README).
/// Errors are <c>{"error": code, "message": ...}</c>.
/// </summary>
public sealed class TplSystem(IOptions<TplOptions> options) : SimulatedSystem
{
    public override string Name => "tpl";

    public override string Simulates => "generic 3PL / WMS REST API and webhooks";

    public override string Authentication => "Authorization: Bearer <api token>";

    protected override JsonSerializerOptions Json => SystemJson.SnakeCase;

    public override void MapEndpoints(RouteGroupBuilder routes)
    {
        routes.MapGet("/api/v1/account", () => Results.Json(new
        {
            options.Value.AccountId,
            Name = options.Value.AccountName,
            Warehouses = options.Value.Warehouses.Select(code => new { Code = code }),
        }, SystemJson.SnakeCase));
    }

    public override bool HasValidCredentials(HttpContext context) => SecretEquals(BearerToken(context), options.Value.ApiToken);

    public override Task WriteUnauthorizedAsync(HttpContext context)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        return WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new TplError("unauthorized", "missing or invalid API token"));
    }

    public override Task WriteThrottledAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status429TooManyRequests, new TplError("rate_limited", "too many requests"));

    public override Task WriteErrorAsync(HttpContext context, int status) =>
        WriteJsonAsync(context, status, new TplError(status >= 500 ? "server_error" : "request_error", ReasonOf(status)));

    public override Task WriteNotFoundAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status404NotFound, new TplError("not_found", "no such resource"));

    private sealed record TplError(string Error, string Message);
}
