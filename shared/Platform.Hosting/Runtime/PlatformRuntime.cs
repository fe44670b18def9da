using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Platform.Messaging;
using Platform.Messaging.Dapr;
using Platform.Messaging.Kafka;
using Platform.Ownership;
using Platform.State;
using Platform.State.Dapr;
using Platform.State.Redis;

namespace Platform.Hosting.Runtime;

public enum BusProvider
{
    InMemory,
    Kafka,
    Dapr,
}

public enum StateProvider
{
    InMemory,
    Redis,
    Dapr,
}

/// <summary>Which bus and state adapters this deployment uses: chosen by configuration, never by code.</summary>
public sealed class PlatformRuntimeOptions
{
    public string ServiceName { get; set; } = string.Empty;

    /// <summary><c>Platform:Bus:Provider</c>: InMemory (one process, the local host), Kafka, or Dapr (pub/sub through the sidecar).</summary>
    public BusProvider BusProvider { get; set; } = BusProvider.InMemory;

    /// <summary><c>Platform:State:Provider</c>: InMemory (one process), Redis, or Dapr (the sidecar's state store).</summary>
    public StateProvider StateProvider { get; set; } = StateProvider.InMemory;
}

internal static class PlatformRuntime
{
    public const string BusSection = "Platform:Bus";
    public const string StateSection = "Platform:State";

    public static void Configure(WebApplicationBuilder builder, string serviceName)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        var bus = ReadProvider<BusProvider>(configuration, BusSection + ":Provider", BusProvider.InMemory);
        var state = ReadProvider<StateProvider>(configuration, StateSection + ":Provider", StateProvider.InMemory);
        services.Configure<PlatformRuntimeOptions>(o =>
        {
            o.ServiceName = serviceName;
            o.BusProvider = bus;
            o.StateProvider = state;
        });

        switch (bus)
        {
            case BusProvider.Kafka:
                services.AddKafkaTransport(configuration.GetSection(BusSection + ":Kafka"), o => o.ClientId ??= serviceName);
                break;
            case BusProvider.Dapr:
                services.AddDaprTransport(configuration.GetSection(BusSection + ":Dapr"));
                break;
            default:
                services.AddInMemoryTransport();
                break;
        }

        switch (state)
        {
            case StateProvider.Redis:
                services.AddRedisStateStore(o =>
                {
                    configuration.GetSection(StateSection + ":Redis").Bind(o);
                    if (string.IsNullOrEmpty(o.StoreName))
                    {
                        o.StoreName = serviceName;
                    }
                });
                break;
            case StateProvider.Dapr:
                services.AddDaprStateStore(o =>
                {
                    configuration.GetSection(StateSection + ":Dapr").Bind(o);
                    if (string.IsNullOrEmpty(o.StoreName))
                    {
                        o.StoreName = serviceName;
                    }
                });
                // No invalidation channel through Dapr: each pod keeps its own copy, stale for at most the cache TTL.
                services.AddInMemoryReferenceCache();
                break;
            default:
                services.AddInMemoryStateStore(serviceName);
                services.AddInMemoryReferenceCache();
                break;
        }

        services.AddPlatformMessaging(serviceName, relay => configuration.GetSection(BusSection + ":Outbox").Bind(relay));
        services.Configure<InboxOptions>(configuration.GetSection(BusSection + ":Inbox"));
        services.AddOwnershipPolicy(configuration);
        services.TryAddSingleton<SyncFreshness>();
        services.TryAddSingleton<PlatformAdmin>();

        services.AddReadinessCheck("state", async (provider, token) =>
        {
            var store = provider.GetRequiredService<IStateStore>();
            await store.GetAsync("readiness-probe", token);
            return HealthCheckResult.Healthy($"{state} store '{store.Name}' answers");
        });
        services.AddReadinessCheck("consumers", (provider, _) =>
        {
            var stopped = provider.GetServices<EventConsumerService>().Where(c => !c.IsRunning).Select(c => c.Definition.ConsumerGroup).ToList();
            return Task.FromResult(stopped.Count == 0
                ? HealthCheckResult.Healthy("every consumer group is running")
                : HealthCheckResult.Unhealthy("consumer group(s) not running: " + string.Join(", ", stopped)));
        });
    }

    private static TProvider ReadProvider<TProvider>(IConfiguration configuration, string key, TProvider fallback)
        where TProvider : struct, Enum
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (Enum.TryParse<TProvider>(raw, ignoreCase: true, out var provider) && Enum.IsDefined(provider))
        {
            return provider;
        }

        throw new OptionsValidationException(key, typeof(TProvider),
            [$"{key} must be one of {string.Join(", ", Enum.GetNames<TProvider>())} (was '{raw}')."]);
    }
}
