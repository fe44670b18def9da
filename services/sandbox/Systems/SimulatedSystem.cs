using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace Platform.Sandbox.Systems;

/// <summary>
/// One simulated external system, mounted under <c>/{Name}</c> with the system's real paths below it, so a connector
/// pointed at <c>http://host:port/{Name}/</c> cannot tell it from the real thing. Each system answers failures the way
/// the real one does (its 401, 404, 429 and 5xx bodies), because connectors parse those too.
/// </summary>
public abstract class SimulatedSystem
{
    /// <summary>The path prefix and the counters' system name, e.g. <c>magento</c>.</summary>
    public abstract string Name { get; }

    /// <summary>What is simulated, for the README and <c>GET /_sandbox/systems</c>.</summary>
    public abstract string Simulates { get; }

    /// <summary>How a client authenticates, in the words of the real system's documentation.</summary>
    public abstract string Authentication { get; }

    public PathString Prefix => "/" + Name;

    /// <summary>Serializer settings matching the real API's JSON (snake_case for Magento, camelCase for HubSpot...).</summary>
    protected abstract JsonSerializerOptions Json { get; }

    /// <summary>Maps the system's endpoints on a group already under <see cref="Prefix"/>; paths are the real API's.</summary>
    public abstract void MapEndpoints(RouteGroupBuilder routes);

    /// <summary>
    /// Maps the system's scenario endpoints (create an order, change a setting...) on a group already under
    /// <c>/_sandbox/{Name}</c>, behind the control API's authorization and outside fault injection and counting.
    /// </summary>
    public virtual void MapControlEndpoints(RouteGroupBuilder control)
    {
    }

    /// <summary>Whether the request carries this system's credential. Not called for endpoints marked <see cref="CredentialsNotRequired"/>.</summary>
    public abstract bool HasValidCredentials(HttpContext context);

    public abstract Task WriteUnauthorizedAsync(HttpContext context);

    /// <summary>The body of an injected 429; the middleware has set the status and Retry-After already.</summary>
    public virtual Task WriteThrottledAsync(HttpContext context) =>
        WriteProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many requests");

    /// <summary>The body of an injected error or gateway timeout with the given status.</summary>
    public virtual Task WriteErrorAsync(HttpContext context, int status) =>
        WriteProblemAsync(context, status, ReasonOf(status));

    public virtual Task WriteNotFoundAsync(HttpContext context) =>
        WriteProblemAsync(context, StatusCodes.Status404NotFound, "Not Found");

    protected Task WriteJsonAsync<T>(HttpContext context, int status, T body)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(body, Json);
    }

    protected static Task WriteProblemAsync(HttpContext context, int status, string title)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Type = "about:blank" },
            options: null,
            contentType: "application/problem+json");
    }

    protected static string ReasonOf(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    /// <summary>Compares a presented secret with the configured one without leaking its length or prefix through timing.</summary>
    protected static bool SecretEquals(string? presented, string expected) =>
        presented is not null
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    protected static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>Endpoint metadata: the endpoint is public in the real system (e.g. an OAuth token endpoint).</summary>
public sealed class CredentialsNotRequired
{
    public static CredentialsNotRequired Instance { get; } = new();
}
