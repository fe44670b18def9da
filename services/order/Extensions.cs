using Platform.Connectors.Erp;
using Platform.Connectors.Magento;
using Platform.Contracts.Order.V1;
using Platform.Hosting;
using Platform.Messaging;
using Platform.Order.Api;
using Platform.Order.Handlers;
using Platform.Order.Infrastructure;

namespace Platform.Order;

/// <summary>Everything the order service adds to the platform defaults, in one place.</summary>
public static class OrderService
{
    public const string Name = "order";

    public static WebApplicationBuilder AddOrderService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<OrderOptions>(OrderOptions.Section);
        services.AddMagentoConnector(builder.Configuration);
        services.AddErpConnector(builder.Configuration);

        services.AddSingleton<OrderStore>();
        services.AddSingleton<OrderMetrics>();
        services.AddSingleton<IngestPublisher>();
        services.AddSingleton<OrderReconciler>();
        services.AddSingleton<MagentoOrderPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<MagentoOrderPoller>());
        services.AddHostedService<ExportBacklogMonitor>();

        // One consumer group for the service: storefront reports in, and its own order events for the ERP
        // documents, each keyed by order id so one order's steps never overtake each other.
        services.AddEventConsumer(Name, consumer => consumer
            .Subscribe(IngestPublisher.Topic, StorefrontOrderReceivedHandler.OrdersTopic)
            .Handle<StorefrontOrderReceived, StorefrontOrderReceivedHandler>()
            .Handle<OrderPlaced, OrderExportHandler>()
            .Handle<OrderRevised, OrderExportHandler>()
            .Handle<OrderCancelled, OrderExportHandler>()
            .Handle<OrderRefunded, OrderExportHandler>()
            .WithFailurePolicy(policy => builder.Configuration.GetSection("Order:FailurePolicy").Bind(policy)));
        return builder;
    }

    public static WebApplication MapOrderService(this WebApplication app)
    {
        app.MapGrpcService<OrderApi>().RequireScope(PlatformScopes.Read(Name));
        MagentoWebhooks.Map(app);
        return app;
    }
}
