using Platform.Hosting;
using Platform.Inventory.Api;
using Platform.Inventory.Infrastructure;

namespace Platform.Inventory;

/// <summary>Everything the inventory service adds to the platform defaults, in one place.</summary>
public static class InventoryService
{
    public const string Name = "inventory";

    public static WebApplicationBuilder AddInventoryService(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StockRepository>();
        return builder;
    }

    public static WebApplication MapInventoryService(this WebApplication app)
    {
        app.MapGrpcService<InventoryApi>().RequireScope(PlatformScopes.Read(Name));
        return app;
    }
}
