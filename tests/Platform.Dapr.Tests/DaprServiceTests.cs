using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Dapr.Tests.Sidecar;
using Platform.Hosting;
using Platform.Messaging;
using Platform.Messaging.Dapr;
using Platform.State;
using Platform.State.Dapr;

namespace Platform.Dapr.Tests;

/// <summary>
/// A service whose configuration says <c>Platform:Bus:Provider=Dapr</c> and <c>Platform:State:Provider=Dapr</c>, on the
/// platform defaults, with the sidecar double checking the service's readiness endpoint before it subscribes.
/// </summary>
public sealed class DaprServiceTests
{
    private const string Topic = "daprtest.greetings.v1";

    [Fact]
    public async Task A_service_on_the_Dapr_providers_publishes_through_the_sidecar_and_handles_what_it_delivers_once()
    {
        await using var sidecar = await DaprSidecarDouble.StartAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Hosting:GrpcPort"] = "0",
            ["Platform:Hosting:HttpPort"] = "0",
            ["Platform:Hosting:BindAddress"] = "127.0.0.1",
            ["Platform:Bus:Provider"] = "Dapr",
            ["Platform:State:Provider"] = "Dapr",
            ["Platform:Bus:Dapr:GrpcEndpoint"] = sidecar.GrpcEndpoint,
            ["Platform:Bus:Dapr:HttpEndpoint"] = sidecar.HttpEndpoint,
        });
        builder.AddPlatformDefaults("daprtest");
        var greetings = new Greetings();
        builder.Services.AddSingleton(greetings);
        builder.Services.AddEventConsumer("daprtest-greetings", consumer => consumer.Subscribe(Topic).Handle<StringValue, GreetingHandler>());
        await using var app = builder.Build();
        app.MapPlatformDefaults();
        await app.StartAsync();
        sidecar.ConnectApp(app.Services.GetPlatformEndpoints().Http, "/readyz");

        Assert.IsType<DaprTransport>(app.Services.GetRequiredService<IMessageTransport>());
        Assert.IsType<DaprStateStore>(app.Services.GetRequiredService<IStateStore>());
        var publisher = app.Services.GetRequiredService<IEventPublisher>();
        var envelope = publisher.CreateEnvelope("guest-1", new StringValue { Value = "hello" });
        await app.Services.GetRequiredService<IMessageTransport>().ProduceAsync(EventCodec.ToTransport(Topic, envelope));
        await app.Services.GetRequiredService<IMessageTransport>().ProduceAsync(EventCodec.ToTransport(Topic, envelope));
        await publisher.PublishAsync(Topic, "guest-1", new StringValue { Value = "goodbye" });

        await Wait.UntilAsync(() => greetings.Received.Count == 2, "both greetings were handled");
        await Task.Delay(300);
        Assert.Equal(["hello", "goodbye"], greetings.Received);
        // The inbox that absorbed the duplicate lives in the Dapr state component, under the service's name.
        Assert.Contains(sidecar.State("statestore").PhysicalKeys(), key => key.StartsWith("platform-test||daprtest:", StringComparison.Ordinal));
        await app.StopAsync();
    }

    private sealed class Greetings
    {
        public List<string> Received { get; } = [];
    }

    private sealed class GreetingHandler(Greetings greetings) : IEventHandler<StringValue>
    {
        public Task HandleAsync(StringValue @event, EventContext context, CancellationToken cancellationToken)
        {
            lock (greetings.Received)
            {
                greetings.Received.Add(@event.Value);
            }

            return Task.CompletedTask;
        }
    }
}
