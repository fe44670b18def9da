using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Messaging.Dapr;

public static class DaprMessagingServiceCollectionExtensions
{
    /// <summary>
    /// Makes Dapr pub/sub the process's <see cref="IMessageTransport"/> (replacing any transport registered before)
    /// and mounts the sidecar's subscription and delivery routes at the front of the app's pipeline. Binds
    /// <see cref="DaprTransportOptions"/> from <paramref name="section"/> (usually <c>Platform:Bus:Dapr</c>).
    /// </summary>
    public static IServiceCollection AddDaprTransport(this IServiceCollection services, IConfiguration section, Action<DaprTransportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var options = services.AddOptions<DaprTransportOptions>().Bind(section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // The sidecar injector hands the app its token as APP_API_TOKEN (dapr.io/app-token-secret).
        options.PostConfigure(transport => transport.AppApiToken ??= Environment.GetEnvironmentVariable("APP_API_TOKEN") is { Length: > 0 } token ? token : null);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaprTransportOptions>, DaprTransportOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var transport = provider.GetRequiredService<IOptions<DaprTransportOptions>>().Value;
            var builder = new DaprClientBuilder();
            if (!string.IsNullOrWhiteSpace(transport.GrpcEndpoint))
            {
                builder.UseGrpcEndpoint(transport.GrpcEndpoint);
            }

            if (!string.IsNullOrWhiteSpace(transport.HttpEndpoint))
            {
                builder.UseHttpEndpoint(transport.HttpEndpoint);
            }

            return builder.Build();
        });
        services.TryAddSingleton(provider => new DaprTransport(
            provider.GetRequiredService<DaprClient>(),
            provider.GetRequiredService<IOptions<DaprTransportOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetRequiredService<TimeProvider>()));
        services.Replace(ServiceDescriptor.Singleton<IMessageTransport>(provider => provider.GetRequiredService<DaprTransport>()));
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, DaprSubscriptionStartupFilter>());
        return services;
    }

    private sealed class DaprSubscriptionStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseDaprSubscriptions();
            next(app);
        };
    }

    private sealed class DaprTransportOptionsValidator : IValidateOptions<DaprTransportOptions>
    {
        public ValidateOptionsResult Validate(string? name, DaprTransportOptions options)
        {
            var problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
