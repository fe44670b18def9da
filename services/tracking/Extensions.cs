using Platform.Hosting;
using Platform.Tracking.Api;
using Platform.Tracking.Infrastructure;

namespace Platform.Tracking;

/// <summary>Everything the tracking service adds to the platform defaults, in one place.</summary>
public static class TrackingService
{
    public const string Name = "tracking";

    public static WebApplicationBuilder AddTrackingService(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ShipmentRepository>();
        return builder;
    }

    public static WebApplication MapTrackingService(this WebApplication app)
    {
        app.MapGrpcService<TrackingApi>().RequireScope(PlatformScopes.Read(Name));
        return app;
    }
}
