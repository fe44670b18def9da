using System.Globalization;
using Platform.Sandbox.Faults;
using Platform.Sandbox.Systems;

namespace Platform.Sandbox;

/// <summary>
/// Runs in front of every request under a simulated system's prefix: counts it, applies the system's fault profile
/// (latency, then at most one of timeout, 429 or error), checks the system's credential, and counts the response.
/// Faults come before the credential check because in the real world a gateway or rate limiter answers before the
/// application looks at the token. Needs routing before it (the endpoint decides the operation name and whether the
/// endpoint is public); WebApplication's implicit routing provides that.
/// </summary>
public sealed class SandboxMiddleware(
    RequestDelegate next,
    IEnumerable<SimulatedSystem> systems,
    FaultInjector faults,
    SandboxCounters counters,
    IHostApplicationLifetime lifetime)
{
    private readonly SimulatedSystem[] _systems = systems.ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var system = Array.Find(_systems, candidate => context.Request.Path.StartsWithSegments(candidate.Prefix, StringComparison.OrdinalIgnoreCase));
        if (system is null)
        {
            await next(context);
            return;
        }

        var operation = OperationOf(context, system);
        counters.RecordRequest(system.Name, operation);
        // A hanging "timeout" must not hold up shutdown for its full length.
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            if (!await InjectFaultAsync(context, system, operation, abort.Token))
            {
                if (context.GetEndpoint()?.Metadata.GetMetadata<CredentialsNotRequired>() is null && !system.HasValidCredentials(context))
                {
                    await system.WriteUnauthorizedAsync(context);
                }
                else
                {
                    await next(context);
                }
            }

            counters.RecordResponse(system.Name, operation, context.Response.StatusCode);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            counters.RecordAborted(system.Name, operation);
            context.Abort();
        }
        catch
        {
            // The server's exception handling turns this into a 500; count it as such before passing it on.
            counters.RecordResponse(system.Name, operation, StatusCodes.Status500InternalServerError);
            throw;
        }
    }

    /// <returns>Whether a fault answered the request.</returns>
    private async Task<bool> InjectFaultAsync(HttpContext context, SimulatedSystem system, string operation, CancellationToken cancellationToken)
    {
        var decision = faults.Decide(system.Name);
        if (decision.Delay > TimeSpan.Zero)
        {
            counters.RecordFault(system.Name, operation, "latency");
            await Task.Delay(decision.Delay, cancellationToken);
        }

        if (decision.Kind == FaultKind.None)
        {
            return false;
        }

        counters.RecordFault(system.Name, operation, SandboxCounters.FaultKindName(decision.Kind));
        switch (decision.Kind)
        {
            case FaultKind.Timeout:
                await Task.Delay(TimeSpan.FromSeconds(decision.Profile.TimeoutSeconds), cancellationToken);
                await system.WriteErrorAsync(context, StatusCodes.Status504GatewayTimeout);
                break;
            case FaultKind.Throttle:
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = decision.Profile.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await system.WriteThrottledAsync(context);
                break;
            default:
                await system.WriteErrorAsync(context, decision.Profile.ErrorStatus);
                break;
        }

        return true;
    }

    private static string OperationOf(HttpContext context, SimulatedSystem system)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is not RouteEndpoint route || endpoint.Metadata.GetMetadata<UnmatchedRoute>() is not null)
        {
            return UnmatchedRoute.OperationName;
        }

        var pattern = route.RoutePattern.RawText ?? "";
        var below = pattern.StartsWith(system.Prefix.Value!, StringComparison.OrdinalIgnoreCase) ? pattern[system.Prefix.Value!.Length..] : pattern;
        return $"{context.Request.Method} {(below.StartsWith('/') ? below : "/" + below)}";
    }
}

/// <summary>Endpoint metadata of each system's catch-all, which answers the system's own 404.</summary>
public sealed class UnmatchedRoute
{
    public const string OperationName = "unmatched";

    public static UnmatchedRoute Instance { get; } = new();
}
