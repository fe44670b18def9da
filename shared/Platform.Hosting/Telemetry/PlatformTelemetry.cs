using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Platform.Hosting;

/// <summary>
/// Metrics for Prometheus at /metrics.
///
/// Several apps can share one process (the local host runs all six), each with its own MeterProvider. A meter made
/// through an app's <see cref="IMeterFactory"/> carries that factory as its scope, and each app exports only meters
/// from its own factory, so order's /metrics never shows catalog's counters. Meters created with <c>new Meter(...)</c>
/// have no scope and belong to the process: every app exports them (runtime metrics are like that, and are the same
/// process figures in every scrape). Platform code therefore creates its meters from the injected IMeterFactory.
/// </summary>
public static class PlatformTelemetry
{
    /// <summary>Every meter whose name starts with "Platform." is exported; name yours Platform.&lt;Area&gt;.</summary>
    public const string PlatformMeterWildcard = "Platform.*";

    public const string MetricsPath = "/metrics";

    internal static void Configure(IServiceCollection services, string serviceName)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName, serviceNamespace: "platform", autoGenerateServiceInstanceId: true))
            .WithMetrics(metrics => metrics
                .AddMeter(PlatformMeterWildcard)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter(options =>
                {
                    // Scrapes are seconds apart; a cached response would only hide a value a test or an SRE just caused.
                    options.ScrapeResponseCacheDurationMilliseconds = 0;
                }));

        services.ConfigureOpenTelemetryMeterProvider((provider, builder) =>
        {
            var ownFactory = provider.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => SelectView(instrument, ownFactory));
        });
    }

    internal static void Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();

    // One view function, because the SDK applies every matching view and each would create its own stream.
    internal static MetricStreamConfiguration? SelectView(Instrument instrument, IMeterFactory ownFactory)
    {
        if (instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, ownFactory))
        {
            return MetricStreamConfiguration.Drop;
        }

        if (PrometheusSafeName(instrument) is { } renamed)
        {
            return new MetricStreamConfiguration { Name = renamed };
        }

        // Without advice the SDK's default buckets run 0..10000, sized for milliseconds: useless for a unit of "s".
        if (instrument is Histogram<double> { Unit: "s", Advice: null or { HistogramBucketBoundaries: null } })
        {
            return new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets };
        }

        return null;
    }

    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60];

    private static readonly Dictionary<string, string> RuntimeRenames = new(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assembly.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpu.logical",
        ["dotnet.timer.count"] = "dotnet.timer.active",
    };

    /// <summary>
    /// Prometheus reserves the _count, _sum and _bucket suffixes for histograms and summaries, and promtool rejects
    /// a gauge named like that. A few runtime instruments are (e.g. dotnet.assembly.count); they get a new name.
    /// </summary>
    internal static string? PrometheusSafeName(Instrument instrument)
    {
        if (RuntimeRenames.TryGetValue(instrument.Name, out var renamed))
        {
            return renamed;
        }

        var isMonotonic = instrument.GetType().IsGenericType
            && instrument.GetType().GetGenericTypeDefinition() is var definition
            && (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>));
        if (isMonotonic || instrument is Histogram<double> or Histogram<float> or Histogram<long> or Histogram<int>)
        {
            return null;
        }

        foreach (var reserved in ReservedSuffixes)
        {
            if (instrument.Name.EndsWith(reserved, StringComparison.Ordinal))
            {
                return instrument.Name + ".current";
            }
        }

        return null;
    }

    private static readonly string[] ReservedSuffixes = [".count", ".sum", ".bucket", "_count", "_sum", "_bucket"];
}
