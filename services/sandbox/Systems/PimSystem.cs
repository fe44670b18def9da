using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems;

public sealed class PimOptions
{
    public const string Section = "Sandbox:Pim";

    /// <summary>API connection credentials (System > Connections), sent as HTTP Basic to the token endpoint.</summary>
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";

    /// <summary>The PIM user of the connection, sent in the token request body (password grant).</summary>
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";

    public int TokenLifetimeSeconds { get; set; } = 3600;
    public string Version { get; set; } = "7.0.0";
    public string Edition { get; set; } = "CE";
}

/// <summary>
/// Akeneo-style PIM REST API (<c>/api/rest/v1/...</c>). Clients first exchange the connection's client id and secret
/// (HTTP Basic) plus a user's name and password for a bearer token at <c>POST /api/oauth/v1/token</c>, as Akeneo's
/// password grant works; tokens expire. Errors are <c>{"code": status, "message": ...}</c>.
/// </summary>
public sealed class PimSystem(IOptions<PimOptions> options, TimeProvider time) : SimulatedSystem
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);

    public override string Name => "pim";

    public override string Simulates => "Akeneo PIM REST API";

    public override string Authentication => "Authorization: Bearer <token from POST /api/oauth/v1/token (Basic client_id:secret, password grant)>";

    protected override JsonSerializerOptions Json => SystemJson.SnakeCase;

    public override void MapEndpoints(RouteGroupBuilder routes)
    {
        routes.MapPost("/api/oauth/v1/token", (Func<HttpContext, Task<IResult>>)IssueTokenAsync).WithMetadata(CredentialsNotRequired.Instance);
        routes.MapGet("/api/rest/v1/system-information", () => Results.Json(new { options.Value.Version, options.Value.Edition }, SystemJson.SnakeCase));
    }

    public override bool HasValidCredentials(HttpContext context)
    {
        var token = BearerToken(context);
        return token is not null && _tokens.TryGetValue(token, out var expires) && expires > time.GetUtcNow();
    }

    public override Task WriteUnauthorizedAsync(HttpContext context) => WriteJsonAsync(context, StatusCodes.Status401Unauthorized, new AkeneoError(
        StatusCodes.Status401Unauthorized,
        BearerToken(context) is null ? "Authentication is required" : "The access token provided is invalid."));

    public override Task WriteThrottledAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status429TooManyRequests, new AkeneoError(StatusCodes.Status429TooManyRequests, "Too many requests"));

    public override Task WriteErrorAsync(HttpContext context, int status) =>
        WriteJsonAsync(context, status, new AkeneoError(status, ReasonOf(status)));

    public override Task WriteNotFoundAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status404NotFound, new AkeneoError(StatusCodes.Status404NotFound, "Resource not found"));

    private async Task<IResult> IssueTokenAsync(HttpContext context)
    {
        var settings = options.Value;
        if (!BasicCredentialsMatch(context, settings.ClientId, settings.ClientSecret))
        {
            return Unprocessable("Parameter \"client_id\" is missing or does not match any client, or secret is invalid");
        }

        TokenRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<TokenRequest>(SystemJson.SnakeCase, context.RequestAborted);
        }
        catch (JsonException)
        {
            return Results.Json(new AkeneoError(StatusCodes.Status400BadRequest, "Invalid json message received"), SystemJson.SnakeCase, statusCode: StatusCodes.Status400BadRequest);
        }

        if (request is not { GrantType: "password", Username.Length: > 0, Password.Length: > 0 })
        {
            return Unprocessable("Parameter \"grant_type\", \"username\" or \"password\" is missing, empty or invalid");
        }

        if (request.Username != settings.Username || !SecretEquals(request.Password, settings.Password))
        {
            return Unprocessable("No user found for the given username and password");
        }

        var token = NewToken();
        var now = time.GetUtcNow();
        _tokens[token] = now.AddSeconds(settings.TokenLifetimeSeconds);
        foreach (var (expired, expiresAt) in _tokens)
        {
            if (expiresAt <= now)
            {
                _tokens.TryRemove(expired, out _);
            }
        }

        return Results.Json(new
        {
            AccessToken = token,
            ExpiresIn = settings.TokenLifetimeSeconds,
            TokenType = "bearer",
            Scope = (string?)null,
            RefreshToken = NewToken(),
        }, SystemJson.SnakeCase);
    }

    private static IResult Unprocessable(string message) =>
        Results.Json(new AkeneoError(StatusCodes.Status422UnprocessableEntity, message), SystemJson.SnakeCase, statusCode: StatusCodes.Status422UnprocessableEntity);

    private static bool BasicCredentialsMatch(HttpContext context, string clientId, string clientSecret)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return false;
        }

        var separator = decoded.IndexOf(':', StringComparison.Ordinal);
        return separator > 0
            && decoded[..separator] == clientId
            && SecretEquals(decoded[(separator + 1)..], clientSecret);
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record TokenRequest(string? GrantType, string? Username, string? Password);

    private sealed record AkeneoError(int Code, string Message);
}
