using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Messaging.InMemory;

namespace Platform.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>
    /// The bus port above whichever transport is registered: publisher, inbox, dead-letter store and replay,
    /// and the outbox relay. Needs an <see cref="State.IStateStore"/> and an <see cref="IMessageTransport"/>.
    /// </summary>
    public static IServiceCollection AddPlatformMessaging(this IServiceCollection services, string serviceName, Action<OutboxRelayOptions>? relay = null)
    {
        services.AddMetrics();
        services.Configure<MessagingOptions>(o => o.ServiceName = serviceName);
        services.AddOptions<InboxOptions>();
        services.AddOptions<OutboxRelayOptions>().Configure(o => relay?.Invoke(o));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MessagingMetrics>();
        services.TryAddSingleton<IEventPublisher, EventPublisher>();
        services.TryAddSingleton<IInbox, StateInbox>();
        services.TryAddSingleton<IDeadLetterStore, StateDeadLetterStore>();
        services.TryAddSingleton<DeadLetterReplayer>();
        services.TryAddSingleton<OutboxRelay>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        return services;
    }

    /// <summary>Adds a consumer group that runs for the life of the host.</summary>
    public static IServiceCollection AddEventConsumer(this IServiceCollection services, string consumerGroup, Action<EventConsumerBuilder> configure)
    {
        ArgumentException.ThrowIfNullOrEmpty(consumerGroup);
        var builder = new EventConsumerBuilder(consumerGroup, services);
        configure(builder);
        var definition = builder.Build();
        services.AddSingleton(sp => new EventConsumerService(
            definition,
            sp.GetRequiredService<IMessageTransport>(),
            sp.GetRequiredService<IInbox>(),
            sp.GetRequiredService<IServiceScopeFactory>(),
            sp.GetRequiredService<MessagingMetrics>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetService<IDeadLetterStore>(),
            sp.GetService<TimeProvider>()));
        // Not AddHostedService: it de-duplicates factory registrations by type, which would drop every group but the first.
        services.AddSingleton<IHostedService>(sp => sp.GetServices<EventConsumerService>().Single(c => c.Definition.ConsumerGroup == consumerGroup));
        return services;
    }

    /// <summary>
    /// Registers an in-process transport. Pass a shared instance when several hosts in one process must see
    /// the same topics (the local host).
    /// </summary>
    public static IServiceCollection AddInMemoryTransport(this IServiceCollection services, InMemoryTransport? shared = null)
    {
        if (shared is not null)
        {
            services.TryAddSingleton<IMessageTransport>(shared);
        }
        else
        {
            services.TryAddSingleton<IMessageTransport>(sp => new InMemoryTransport(null, sp.GetService<ILogger<InMemoryTransport>>()));
        }

        return services;
    }
}
