using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Connectors;

public static partial class ConnectorServiceCollectionExtensions
{
    // Registers TClient as a typed HttpClient for one external system, configured from
    // Platform:Connectors:<system> and validated at start (and at the latest when the client is
    // first resolved). One typed client per system: the system's rate limiter and circuit breaker
    // are shared by every call to it from this process.
    public static IHttpClientBuilder AddConnector<TClient, TImplementation>(
        this IServiceCollection services, string system, IConfiguration configuration)
        where TClient : class
        where TImplementation : class, TClient
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(configuration);
        if (!SystemNamePattern().IsMatch(system))
        {
            throw new ArgumentException(
                $"connector system name '{system}' must be lowercase letters, digits, '-' or '_' (e.g. magento, erp, 3pl)", nameof(system));
        }

        if (services.Any(d => d.ServiceType == typeof(ConnectorRegistration) && ((ConnectorRegistration)d.ImplementationInstance!).System == system))
        {
            throw new InvalidOperationException($"connector '{system}' is already registered; register one typed client per system");
        }

        var section = configuration.GetSection($"{ConnectorOptions.SectionName}:{system}");
        services.AddSingleton(new ConnectorRegistration(system, section.Path));
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ConnectorMetrics>();
        services.AddOptions<ConnectorOptions>(system).Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConnectorOptions>>(new ConnectorOptionsValidator(system, section.Path));

        var builder = services.AddHttpClient<TClient, TImplementation>(system);
        builder.ConfigureHttpClient((provider, client) =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<ConnectorOptions>>().Get(system);
            client.BaseAddress = options.GetBaseUri();
            // The pipeline's total timeout bounds each call; HttpClient's own 100 s default would
            // otherwise cut in first with an unclassified TaskCanceledException.
            client.Timeout = Timeout.InfiniteTimeSpan;
        });
        builder.RemoveAllLoggers();
        builder.AddLogger(provider => new ConnectorHttpLogger(
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Connectors.Http"), system));
        // Should anyone add the default request logging back, it must not print header values either.
        builder.RedactLoggedHeaders(_ => true);
        builder.AddHttpMessageHandler(provider => new ConnectorCallHandler(
            system, provider.GetRequiredService<ConnectorMetrics>(), provider.GetRequiredService<TimeProvider>()));
        builder.AddResilienceHandler("connector", (pipeline, context) => ConnectorPipeline.Configure(system, pipeline, context));
        builder.AddHttpMessageHandler(provider => new ConnectorAttemptHandler(
            system,
            new ConnectorAuthenticator(
                provider.GetRequiredService<IOptionsMonitor<ConnectorOptions>>().Get(system).Authentication,
                provider.GetRequiredService<TimeProvider>()),
            provider.GetRequiredService<ConnectorMetrics>()));
        return builder;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex SystemNamePattern();
}

internal sealed record ConnectorRegistration(string System, string SectionPath);
