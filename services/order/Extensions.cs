using Platform.Hosting;
using Platform.Order.Api;
using Platform.Order.Infrastructure;

namespace Platform.Order;

/// <summary>Everything the order service adds to the platform defaults, in one place.</summary>
public static class OrderService
{
    public const string Name = "order";

    public static WebApplicationBuilder AddOrderService(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OrderRepository>();
        return builder;
    }

    public static WebApplication MapOrderService(this WebApplication app)
    {
        app.MapGrpcService<OrderApi>().RequireScope(PlatformScopes.Read(Name));
        return app;
    }
}
