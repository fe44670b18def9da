using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Messaging.Kafka;

public static class KafkaServiceCollectionExtensions
{
    /// <summary>
    /// Makes Kafka the process's <see cref="IMessageTransport"/> (one singleton, replacing any transport registered
    /// before). Invalid settings fail at start with every problem listed.
    /// </summary>
    public static IServiceCollection AddKafkaTransport(this IServiceCollection services, Action<KafkaOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<KafkaOptions>().Configure(configure).ValidateOnStart();
        return AddTransport(services);
    }

    /// <summary>Binds <see cref="KafkaOptions"/> from a configuration section (usually <c>Kafka</c>), then applies <paramref name="configure"/>.</summary>
    public static IServiceCollection AddKafkaTransport(this IServiceCollection services, IConfiguration section, Action<KafkaOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        var options = services.AddOptions<KafkaOptions>().Bind(section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        return AddTransport(services);
    }

    private static IServiceCollection AddTransport(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());
        services.TryAddSingleton(provider => new KafkaTransport(
            provider.GetRequiredService<IOptions<KafkaOptions>>().Value,
            provider.GetService<ILoggerFactory>(),
            provider.GetService<IMeterFactory>()));
        services.Replace(ServiceDescriptor.Singleton<IMessageTransport>(provider => provider.GetRequiredService<KafkaTransport>()));
        return services;
    }
}
