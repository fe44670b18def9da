using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Platform.State;

public static class StateServiceCollectionExtensions
{
    /// <summary>Registers an <see cref="InMemoryStateStore"/> as the service's <see cref="IStateStore"/>.</summary>
    public static IServiceCollection AddInMemoryStateStore(this IServiceCollection services, string storeName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IStateStore>(provider => new InMemoryStateStore(storeName, provider.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Registers an <see cref="InMemoryReferenceCache"/>. Its bus is a singleton of this container unless one was
    /// registered before (the local host registers one shared instance in every service it runs).
    /// </summary>
    public static IServiceCollection AddInMemoryReferenceCache(this IServiceCollection services, Action<ReferenceCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ReferenceCacheOptions>()
            .Validate(cache => cache.DefaultTimeToLive > TimeSpan.Zero, "ReferenceCacheOptions.DefaultTimeToLive must be positive.");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InMemoryReferenceCacheBus>();
        services.AddSingleton<IReferenceCache>(provider => new InMemoryReferenceCache(
            provider.GetRequiredService<InMemoryReferenceCacheBus>(),
            provider.GetRequiredService<IOptions<ReferenceCacheOptions>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetService<IMeterFactory>()));
        return services;
    }
}
