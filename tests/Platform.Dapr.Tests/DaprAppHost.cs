using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Messaging.Dapr;

namespace Platform.Dapr.Tests;

/// <summary>
/// The app the sidecar double talks to: the transport's subscription routes plus a health endpoint that is healthy
/// while a consumer runs, as a service's readiness is while its consumer groups run.
/// </summary>
internal sealed class DaprAppHost : IAsyncDisposable
{
    public const string HealthPath = "/healthz";

    private readonly WebApplication _app;

    private DaprAppHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<DaprAppHost> StartAsync(DaprTransport transport)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (!await transport.Subscriptions.TryHandleAsync(context))
            {
                await next(context);
            }
        });
        app.MapGet(HealthPath, () => transport.HasRunningConsumers ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DaprAppHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
