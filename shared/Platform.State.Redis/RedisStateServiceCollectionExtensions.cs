using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Platform.State.Redis;

public static class RedisStateServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IStateStore"/> and <see cref="IReferenceCache"/> on Redis, sharing one
    /// <see cref="IConnectionMultiplexer"/> (registered here unless the container already has one).
    /// The options are validated when the host starts and again when the store is first resolved.
    /// </summary>
    public static IServiceCollection AddRedisStateStore(this IServiceCollection services, Action<RedisStateOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<RedisStateOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisStateOptions>, RedisStateOptionsValidator>());
        services.AddOptions<ReferenceCacheOptions>()
            .Validate(cache => cache.DefaultTimeToLive > TimeSpan.Zero, "ReferenceCacheOptions.DefaultTimeToLive must be positive.");

        services.TryAddSingleton<IConnectionMultiplexer>(provider => ConnectionMultiplexer.Connect(ToConfiguration(ValidOptions(provider).ConnectionString)));
        services.AddSingleton<IStateStore>(provider => new RedisStateStore(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            ValidOptions(provider).StoreName));
        services.AddSingleton<IReferenceCache>(provider => new RedisReferenceCache(
            provider.GetRequiredService<IConnectionMultiplexer>(),
            ValidOptions(provider).StoreName,
            provider.GetRequiredService<IOptions<ReferenceCacheOptions>>(),
            provider.GetService<IMeterFactory>(),
            provider.GetService<ILogger<RedisReferenceCache>>()));
        return services;
    }

    internal static ConfigurationOptions ToConfiguration(string connectionString)
    {
        var configuration = ConfigurationOptions.Parse(connectionString);

        // Pods start in any order: unless the operator asked otherwise, keep retrying instead of failing at start.
        if (!connectionString.Contains("abortConnect", StringComparison.OrdinalIgnoreCase))
        {
            configuration.AbortOnConnectFail = false;
        }

        return configuration;
    }

    // IOptions<T>.Value runs the validator and throws OptionsValidationException naming every problem.
    private static RedisStateOptions ValidOptions(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<RedisStateOptions>>().Value;

    private sealed class RedisStateOptionsValidator : IValidateOptions<RedisStateOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisStateOptions options)
        {
            var problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
