using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Hosting;
using Platform.Local;

namespace Platform.Services.FunctionalTests;

/// <summary>One service built exactly as its Program.cs builds it, on free loopback ports, with test API keys.</summary>
public sealed class ServiceHost : IAsyncDisposable
{
    public const string AdminKey = "functional-test-admin-key-0123456789";
    public const string ReaderKey = "functional-test-reader-key-0123456789";

    private ServiceHost(WebApplication app, string service)
    {
        App = app;
        Service = service;
        Endpoints = app.Services.GetPlatformEndpoints();
        Channel = GrpcChannel.ForAddress(Endpoints.Grpc);
        Http = new HttpClient { BaseAddress = Endpoints.Http };
    }

    public WebApplication App { get; }
    public string Service { get; }
    public PlatformEndpoints Endpoints { get; }
    public GrpcChannel Channel { get; }
    public HttpClient Http { get; }

    public static async Task<ServiceHost> StartAsync(string service, IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null, Action<IServiceCollection>? afterRegistration = null)
    {
        var definition = LocalPlatform.Services.Single(s => s.Name == service);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Hosting:GrpcPort"] = "0",
            ["Platform:Hosting:HttpPort"] = "0",
            ["Platform:Auth:ApiKeys:0:Name"] = "admin",
            ["Platform:Auth:ApiKeys:0:Key"] = AdminKey,
            ["Platform:Auth:ApiKeys:0:Scopes:0"] = PlatformScopes.Admin(service),
            ["Platform:Auth:ApiKeys:1:Name"] = "reader",
            ["Platform:Auth:ApiKeys:1:Key"] = ReaderKey,
            ["Platform:Auth:ApiKeys:1:Scopes:0"] = PlatformScopes.Read(service),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Sandbox:Magento:AccessToken"] = "test-magento-token",
            ["Sandbox:Shopify:AccessToken"] = "shpat_test",
            ["Sandbox:Erp:ApiKey"] = "test-erp-key",
            ["Sandbox:Pim:ClientId"] = "test-client",
            ["Sandbox:Pim:ClientSecret"] = "test-secret",
            ["Sandbox:Pim:Username"] = "test-user",
            ["Sandbox:Pim:Password"] = "test-password",
            ["Sandbox:Tpl:ApiToken"] = "test-3pl-token",
            ["Sandbox:Crm:AccessToken"] = "pat-test",
            // The order service's connectors: nothing listens on the discard port, which these tests never reach.
            ["Order:Stores:0"] = "default",
            ["Order:PollEnabled"] = "false",
            ["Platform:Connectors:magento:BaseAddress"] = "http://127.0.0.1:9/magento/",
            ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
            ["Platform:Connectors:magento:Authentication:Token"] = "test-magento-token",
            ["Platform:Connectors:magento:Webhooks:Secrets:default"] = "test-webhook-secret",
            ["Platform:Connectors:erp:BaseAddress"] = "http://127.0.0.1:9/erp/",
            ["Platform:Connectors:erp:Authentication:Scheme"] = "ApiKey",
            ["Platform:Connectors:erp:Authentication:Key"] = "test-erp-key",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        services?.Invoke(builder.Services);
        builder.AddPlatformDefaults(service);
        definition.Add(builder);
        afterRegistration?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapPlatformDefaults();
        definition.Map(app);
        await app.StartAsync();
        return new ServiceHost(app, service);
    }

    public static CallOptions WithKey(string key) => new(new Metadata { { "x-api-key", key } }, DateTime.UtcNow.AddSeconds(10));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
