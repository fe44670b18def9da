using System.Text.Json;
using Platform.Sandbox.Faults;
using Platform.Sandbox.Systems;
using Platform.Sandbox.Systems.Stock;

namespace Platform.Sandbox.Control;

/// <summary>
/// <c>/_sandbox</c>: what tests and load runs use to steer and read the sandbox. Not behind any simulated
/// credential; the platform's own API-key authentication is put in front of it by the hosting defaults.
/// </summary>
public static class ControlEndpoints
{
    public const string Prefix = "/_sandbox";

    public static RouteGroupBuilder MapSandboxControl(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup(Prefix);

        control.MapGet("/systems", (IEnumerable<SimulatedSystem> systems) => Results.Ok(systems.Select(system => new
        {
            system.Name,
            BasePath = system.Prefix.Value + "/",
            system.Simulates,
            system.Authentication,
        })));

        control.MapGet("/faults", (FaultInjector faults) => Results.Ok(faults.GetAll()));

        control.MapGet("/faults/{system}", (string system, FaultInjector faults) =>
            faults.IsKnown(system) ? Results.Ok(faults.Get(system)) : UnknownSystem(system, faults));

        control.MapPut("/faults/{system}", async (string system, HttpContext context, FaultInjector faults) =>
        {
            if (!faults.IsKnown(system))
            {
                return UnknownSystem(system, faults);
            }

            FaultProfile? profile;
            try
            {
                profile = await context.Request.ReadFromJsonAsync<FaultProfile>(context.RequestAborted);
            }
            catch (JsonException exception)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The fault profile is not valid JSON for this API", detail: exception.Message);
            }

            if (profile is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A fault profile is required");
            }

            var errors = profile.Validate();
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The fault profile is invalid");
            }

            faults.Set(system, profile);
            return Results.Ok(faults.Get(system));
        });

        control.MapDelete("/faults/{system}", (string system, FaultInjector faults) =>
        {
            if (!faults.IsKnown(system))
            {
                return UnknownSystem(system, faults);
            }

            faults.Clear(system);
            return Results.NoContent();
        });

        control.MapDelete("/faults", (FaultInjector faults) =>
        {
            foreach (var system in faults.Systems)
            {
                faults.Clear(system);
            }

            return Results.NoContent();
        });

        foreach (var system in app.ServiceProvider.GetServices<SimulatedSystem>())
        {
            system.MapControlEndpoints(control.MapGroup("/" + system.Name));
        }

        control.MapGroup("/stock").MapStockControl();

        // The credentials a connector must send to each simulated system, including any made up at start.
        control.MapGet("/credentials", (IConfiguration configuration) => Results.Ok(SandboxCredentials.Current(configuration)));

        control.MapGet("/counters", (SandboxCounters counters, string[]? name) => Results.Ok(counters.Snapshot(name is { Length: > 0 } ? name : null)));

        control.MapPost("/counters/reset", (SandboxCounters counters) =>
        {
            counters.Reset();
            return Results.NoContent();
        });

        return control;
    }

    private static IResult UnknownSystem(string system, FaultInjector faults) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such simulated system",
        detail: $"'{system}' is not one of: {string.Join(", ", faults.Systems.Order(StringComparer.Ordinal))}");
}
