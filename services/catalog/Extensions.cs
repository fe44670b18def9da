using Platform.Hosting;
using Platform.Catalog.Api;
using Platform.Catalog.Infrastructure;

namespace Platform.Catalog;

/// <summary>Everything the catalog service adds to the platform defaults, in one place.</summary>
public static class CatalogService
{
    public const string Name = "catalog";

    public static WebApplicationBuilder AddCatalogService(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ProductRepository>();
        return builder;
    }

    public static WebApplication MapCatalogService(this WebApplication app)
    {
        app.MapGrpcService<CatalogApi>().RequireScope(PlatformScopes.Read(Name));
        return app;
    }
}
