using Microsoft.Extensions.Options;
using Platform.Connectors.Erp;
using Platform.Connectors.Magento;
using Platform.Contracts.Catalog.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Contracts.Order.V1;
using Platform.Hosting;
using Platform.Inventory.Api;
using Platform.Inventory.Domain;
using Platform.Inventory.Handlers;
using Platform.Inventory.Infrastructure;
using Platform.Messaging;

namespace Platform.Inventory;

/// <summary>Everything the inventory service adds to the platform defaults, in one place.</summary>
public static class InventoryService
{
    public const string Name = "inventory";

    public static WebApplicationBuilder AddInventoryService(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<InventoryOptions>(InventoryOptions.Section);
        services.AddSingleton<IValidateOptions<InventoryOptions>>(new InventoryOptionsValidator());
        services.AddMagentoConnector(builder.Configuration);
        services.AddErpConnector(builder.Configuration);

        services.AddSingleton<StockStore>();
        services.AddSingleton<InventoryMetrics>();
        services.AddSingleton<IStockThresholdPolicy, ConfiguredThresholds>();
        services.AddSingleton<LocationMap>();
        services.AddSingleton<PushSignal>();
        services.AddSingleton<StockWriter>();
        services.AddSingleton<StockIntake>();
        services.AddSingleton<StockReportInterpreter>();
        services.AddSingleton<OrderReservations>();
        services.AddSingleton<InventoryReconciler>();

        // Every configured target is a Magento store for now; a Shopify target plugs in here with its own connector.
        foreach (var target in builder.Configuration.GetSection($"{InventoryOptions.Section}:Targets").GetChildren())
        {
            var name = target.Key;
            services.AddSingleton<IStockTarget>(sp => ActivatorUtilities.CreateInstance<MagentoStockTarget>(sp, name));
        }

        services.AddSingleton<StorefrontPusher>();
        services.AddHostedService(sp => sp.GetRequiredService<StorefrontPusher>());
        services.AddSingleton<CsvStockDrop>();
        services.AddHostedService(sp => sp.GetRequiredService<CsvStockDrop>());
        services.AddSingleton<ErpStockPuller>();
        services.AddHostedService(sp => sp.GetRequiredService<ErpStockPuller>());

        // One consumer group: stock reports keyed by SKU, order events keyed by order id (they meet on the SKU
        // aggregate's ETag), and the catalog's products to know which SKUs exist.
        services.AddEventConsumer(Name, consumer => consumer
            .Subscribe(StockIntake.Topic, Platform.Contracts.Topics.OrderOrders, Platform.Contracts.Topics.CatalogProducts)
            .Handle<StockReportBatch, StockReportedHandler>()
            .Handle<StockReported, StockReportedHandler>()
            .Handle<OrderPlaced, OrderEventsHandler>()
            .Handle<OrderRevised, OrderEventsHandler>()
            .Handle<OrderCancelled, OrderEventsHandler>()
            .Handle<OrderRefunded, OrderEventsHandler>()
            .Handle<OrderShipped, OrderEventsHandler>()
            .Handle<OrderExported, OrderEventsHandler>()
            .Handle<ProductUpserted, ProductEventsHandler>()
            .Handle<ProductRemoved, ProductEventsHandler>()
            .WithFailurePolicy(policy => builder.Configuration.GetSection("Inventory:FailurePolicy").Bind(policy)));
        return builder;
    }

    public static WebApplication MapInventoryService(this WebApplication app)
    {
        app.MapGrpcService<InventoryApi>().RequireScope(PlatformScopes.Read(Name));
        StockWebhooks.Map(app);
        return app;
    }

    // Names every problem at once, so a platform team fixes a values file in one round.
    private sealed class InventoryOptionsValidator : IValidateOptions<InventoryOptions>
    {
        public ValidateOptionsResult Validate(string? name, InventoryOptions options)
        {
            var problems = options.Problems().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
