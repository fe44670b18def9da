using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Ctl.Tests;

/// <summary>
/// One fake gRPC service on a free loopback port over HTTP/2 without TLS, the way platformctl reaches a service in
/// the local layout; the test sets the fake's answers through <see cref="Service"/> and reads what it was asked.
/// </summary>
public sealed class FakeGrpcServer<TService> : IAsyncDisposable
    where TService : class, new()
{
    private readonly WebApplication _app;

    private FakeGrpcServer(WebApplication app, TService service, Uri address)
    {
        _app = app;
        Service = service;
        Address = address;
    }

    public TService Service { get; }

    public Uri Address { get; }

    public static async Task<FakeGrpcServer<TService>> StartAsync()
    {
        var service = new TService();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeGrpcServer<TService>(app, service, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
