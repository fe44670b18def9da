using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Platform.Hosting;

/// <summary>
/// Liveness and readiness, over HTTP (/healthz, /readyz) and the standard gRPC health service.
/// Liveness answers "is the process able to serve at all" and runs only checks tagged <see cref="LiveTag"/> (none by
/// default): a broker or Redis outage must never make Kubernetes restart healthy pods. Readiness runs every check
/// tagged <see cref="ReadyTag"/>; add yours with <see cref="AddReadinessCheck{TCheck}(IServiceCollection, string, TimeSpan?)"/>.
/// </summary>
public static class PlatformHealth
{
    public const string ReadyTag = "ready";
    public const string LiveTag = "live";

    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    /// <summary>gRPC health service names: "" and "readiness" report readiness, "liveness" reports liveness.</summary>
    public const string GrpcReadinessService = "readiness";
    public const string GrpcLivenessService = "liveness";

    private static readonly TimeSpan DefaultCheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddReadinessCheck<TCheck>(this IServiceCollection services, string name, TimeSpan? timeout = null)
        where TCheck : class, IHealthCheck
    {
        services.AddHealthChecks().AddCheck<TCheck>(name, HealthStatus.Unhealthy, [ReadyTag], timeout ?? DefaultCheckTimeout);
        return services;
    }

    public static IServiceCollection AddReadinessCheck(
        this IServiceCollection services,
        string name,
        Func<IServiceProvider, CancellationToken, Task<HealthCheckResult>> check,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            provider => new DelegateHealthCheck(provider, check),
            HealthStatus.Unhealthy,
            [ReadyTag],
            timeout ?? DefaultCheckTimeout));
        return services;
    }

    internal static void Configure(IServiceCollection services, string serviceName)
    {
        services.AddHealthChecks()
            // Liveness has one check that always passes: answering at all is the proof. gRPC health also needs a
            // check behind a service name, or it reports UNKNOWN for it.
            .AddCheck("process", () => HealthCheckResult.Healthy("Process is serving."), [LiveTag])
            .AddCheck<HostLifecycleHealthCheck>("host", HealthStatus.Unhealthy, [ReadyTag]);
        services.AddGrpcHealthChecks(options =>
        {
            options.Services.Clear();
            options.Services.Map("", context => context.Tags.Contains(ReadyTag));
            options.Services.Map(GrpcReadinessService, context => context.Tags.Contains(ReadyTag));
            options.Services.Map(serviceName, context => context.Tags.Contains(ReadyTag));
            options.Services.Map(GrpcLivenessService, context => context.Tags.Contains(LiveTag));
        });
    }

    internal static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks(LivenessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();

        endpoints.MapHealthChecks(ReadinessPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();

        endpoints.MapGrpcHealthChecksService().AllowAnonymous();
    }

    // Names, statuses and descriptions only: exception text can carry connection strings and stays in the logs.
    private static async Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        writer.WriteStartObject();
        writer.WriteString("status", report.Status.ToString());
        writer.WriteNumber("durationMs", Math.Round(report.TotalDuration.TotalMilliseconds, 1));
        writer.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            writer.WriteStartObject(name);
            writer.WriteString("status", entry.Status.ToString());
            if (entry.Description is { } description)
            {
                writer.WriteString("description", SensitiveData.MaskText(description));
            }

            writer.WriteNumber("durationMs", Math.Round(entry.Duration.TotalMilliseconds, 1));
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        await writer.FlushAsync(context.RequestAborted);
    }

    private sealed class DelegateHealthCheck(IServiceProvider provider, Func<IServiceProvider, CancellationToken, Task<HealthCheckResult>> check) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            check(provider, cancellationToken);
    }
}

/// <summary>
/// Not ready before the host has started or once it is stopping, so Kubernetes takes the pod out of its Service
/// before in-flight work is drained rather than after connections start failing.
/// </summary>
internal sealed class HostLifecycleHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Host is stopping."));
        }

        return Task.FromResult(lifetime.ApplicationStarted.IsCancellationRequested
            ? HealthCheckResult.Healthy("Host started.")
            : HealthCheckResult.Unhealthy("Host is starting."));
    }
}
