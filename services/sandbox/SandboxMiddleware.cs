using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Platform.Sandbox.Faults;
using Platform.Sandbox.Systems;

namespace Platform.Sandbox;

/// <summary>
/// Runs in front of every request under a simulated system's prefix: counts it, applies the system's fault profile
/// (latency, then at most one of timeout, 429, error or lost response), checks the system's credential, and counts the
/// response.
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
            var decision = faults.Decide(system.Name);
            if (!await InjectFaultAsync(context, system, operation, decision, abort.Token))
            {
                if (decision.Kind == FaultKind.LostResponse)
                {
                    await AnswerThenLoseResponseAsync(context, system, decision.Profile, abort.Token);
                }
                else
                {
                    await AnswerAsync(context, system);
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

    private Task AnswerAsync(HttpContext context, SimulatedSystem system) =>
        context.GetEndpoint()?.Metadata.GetMetadata<CredentialsNotRequired>() is null && !system.HasValidCredentials(context)
            ? system.WriteUnauthorizedAsync(context)
            : next(context);

    /// <summary>
    /// The system does the work and writes its answer into the void; the client then waits as for a timeout and gets the
    /// gateway's 504, without knowing whether anything happened.
    /// </summary>
    private async Task AnswerThenLoseResponseAsync(HttpContext context, SimulatedSystem system, FaultProfile profile, CancellationToken cancellationToken)
    {
        var realBody = context.Features.Get<IHttpResponseBodyFeature>()!;
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        try
        {
            await AnswerAsync(context, system);
        }
        finally
        {
            context.Features.Set(realBody);
        }

        context.Response.Clear();
        await Task.Delay(TimeSpan.FromSeconds(profile.TimeoutSeconds), cancellationToken);
        await system.WriteErrorAsync(context, StatusCodes.Status504GatewayTimeout);
    }

    /// <returns>Whether a fault answered the request.</returns>
    private async Task<bool> InjectFaultAsync(HttpContext context, SimulatedSystem system, string operation, FaultDecision decision, CancellationToken cancellationToken)
    {
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
            case FaultKind.LostResponse:
                return false;
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
