using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Hosting;
using Platform.Local;
using Platform.Messaging;
using Platform.Messaging.InMemory;

namespace Platform.Ctl.Tests;

/// <summary>
/// One platform service built exactly as the local host builds it, on free loopback ports, with an admin and a
/// read-only test key and an in-memory log that the tests read replayed records from.
/// </summary>
public sealed class TestServiceHost : IAsyncDisposable
{
    public const string AdminKey = "ctl-test-admin-key-0123456789abcdef";
    public const string ReaderKey = "ctl-test-reader-key-0123456789abcdef";

    private TestServiceHost(WebApplication app, string service, InMemoryTransport log)
    {
        App = app;
        Service = service;
        Log = log;
        Endpoints = app.Services.GetPlatformEndpoints();
    }

    public WebApplication App { get; }
    public string Service { get; }
    public InMemoryTransport Log { get; }
    public PlatformEndpoints Endpoints { get; }
    public string GrpcAddress => Endpoints.Grpc.ToString();
    public IDeadLetterStore DeadLetters => App.Services.GetRequiredService<IDeadLetterStore>();

    public static async Task<TestServiceHost> StartAsync(string service)
    {
        var definition = LocalPlatform.Services.Single(s => s.Name == service);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Platform:Hosting:BindAddress"] = "127.0.0.1",
            ["Platform:Hosting:GrpcPort"] = "0",
            ["Platform:Hosting:HttpPort"] = "0",
            ["Platform:Auth:ApiKeys:0:Name"] = "admin",
            ["Platform:Auth:ApiKeys:0:Key"] = AdminKey,
            ["Platform:Auth:ApiKeys:0:Scopes:0"] = PlatformScopes.Admin(service),
            ["Platform:Auth:ApiKeys:1:Name"] = "reader",
            ["Platform:Auth:ApiKeys:1:Key"] = ReaderKey,
            ["Platform:Auth:ApiKeys:1:Scopes:0"] = PlatformScopes.Read(service),
            ["Logging:LogLevel:Default"] = "Warning",
            // The order service's connectors must be configured to start; nothing listens on the discard port,
            // and no test here makes the service call them (no polling, no consumer group of the service replayed).
            ["Order:Stores:0"] = "default",
            ["Order:PollEnabled"] = "false",
            ["Platform:Connectors:magento:BaseAddress"] = "http://127.0.0.1:9/magento/",
            ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
            ["Platform:Connectors:magento:Authentication:Token"] = "ctl-test-magento-token",
            ["Platform:Connectors:magento:Webhooks:Secrets:default"] = "ctl-test-webhook-secret",
            ["Platform:Connectors:erp:BaseAddress"] = "http://127.0.0.1:9/erp/",
            ["Platform:Connectors:erp:Authentication:Scheme"] = "ApiKey",
            ["Platform:Connectors:erp:Authentication:Key"] = "ctl-test-erp-key",
        });
        var log = new InMemoryTransport();
        builder.Services.AddSingleton<IMessageTransport>(log);
        builder.AddPlatformDefaults(service);
        definition.Add(builder);
        var app = builder.Build();
        app.MapPlatformDefaults();
        definition.Map(app);
        await app.StartAsync();
        return new TestServiceHost(app, service, log);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
