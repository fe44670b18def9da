using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Platform.Contracts.Order.V1;

namespace Platform.Ctl.Tests;

/// <summary>
/// An order service that answers ReconcileOrders with a canned reconciliation, so the command's rendering and exit
/// codes are tested without the real reconciler; it records what it was asked and with which key.
/// </summary>
public sealed class FakeOrderService : OrderService.OrderServiceBase
{
    public OrderReconciliation Reconciliation { get; set; } = new();

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public List<(ReconcileOrdersRequest Request, string? ApiKey)> Calls { get; } = [];

    public override async Task<ReconcileOrdersResponse> ReconcileOrders(ReconcileOrdersRequest request, ServerCallContext context)
    {
        lock (Calls)
        {
            Calls.Add((request, context.RequestHeaders.GetValue("x-api-key")));
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.CancellationToken);
        }

        return new ReconcileOrdersResponse { Reconciliation = Reconciliation };
    }
}

public sealed class FakeOrderServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeOrderServer(WebApplication app, FakeOrderService service, Uri address)
    {
        _app = app;
        Service = service;
        Address = address;
    }

    public FakeOrderService Service { get; }

    public Uri Address { get; }

    public static async Task<FakeOrderServer> StartAsync()
    {
        var service = new FakeOrderService();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<FakeOrderService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeOrderServer(app, service, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
