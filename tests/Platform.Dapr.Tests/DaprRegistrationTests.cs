using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Dapr.Tests.Sidecar;
using Platform.Messaging;
using Platform.Messaging.Dapr;
using Platform.State;
using Platform.State.Dapr;

namespace Platform.Dapr.Tests;

/// <summary>The adapters as a service gets them from configuration: one DaprClient, the sidecar's routes mounted at the front.</summary>
public sealed class DaprRegistrationTests
{
    private static WebApplication BuildApp(DaprSidecarDouble sidecar, IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["Platform:Bus:Dapr:GrpcEndpoint"] = sidecar.GrpcEndpoint,
            ["Platform:Bus:Dapr:HttpEndpoint"] = sidecar.HttpEndpoint,
        });
        builder.Services.AddDaprTransport(builder.Configuration.GetSection("Platform:Bus:Dapr"));
        builder.Services.AddDaprStateStore(options => options.StoreName = "registered");
        var app = builder.Build();
        app.MapGet("/hello", () => "app route");
        return app;
    }

    [Fact]
    public async Task Both_adapters_share_one_client_and_the_sidecars_routes_sit_in_front_of_the_apps_own()
    {
        await using var sidecar = await DaprSidecarDouble.StartAsync();
        await using var app = BuildApp(sidecar, new Dictionary<string, string?>());
        await app.StartAsync();

        Assert.IsType<DaprTransport>(app.Services.GetRequiredService<IMessageTransport>());
        var store = Assert.IsType<DaprStateStore>(app.Services.GetRequiredService<IStateStore>());
        await store.SetAsync("k", "v"u8.ToArray());
        Assert.NotNull(sidecar.State("statestore").Get("registered:v:k"));

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        Assert.Equal("[]", await http.GetStringAsync(DaprSubscriptionEndpoint.SubscribePath));
        Assert.Equal("app route", await http.GetStringAsync("/hello"));
        await app.StopAsync();
    }

    [Fact]
    public async Task Invalid_transport_settings_fail_the_start_naming_the_setting()
    {
        await using var sidecar = await DaprSidecarDouble.StartAsync();
        await using var app = BuildApp(sidecar, new Dictionary<string, string?> { ["Platform:Bus:Dapr:RoutePrefix"] = "deliveries/" });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("RoutePrefix", failure.Message, StringComparison.Ordinal);
    }
}
