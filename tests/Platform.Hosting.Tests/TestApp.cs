using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Hosting.Tests.Protos;

namespace Platform.Hosting.Tests;

/// <summary>A real app on real Kestrel, 127.0.0.1 and OS-chosen ports, built the way a service's Program.cs builds it.</summary>
public sealed class TestApp : IAsyncDisposable
{
    public const string ServiceName = "hostingtest";

    public const string ReaderKey = "reader-key-0123456789";
    public const string WriterKey = "writer-key-0123456789";
    public const string AdminKey = "admin-key-0123456789";
    public const string OutsiderKey = "outsider-key-0123456789";

    private TestApp(WebApplication app)
    {
        App = app;
        Endpoints = app.Services.GetPlatformEndpoints();
        Channel = GrpcChannel.ForAddress(Endpoints.Grpc);
        Http = new HttpClient { BaseAddress = Endpoints.Http };
    }

    public WebApplication App { get; }

    public PlatformEndpoints Endpoints { get; }

    public GrpcChannel Channel { get; }

    public HttpClient Http { get; }

    public Echo.EchoClient Echo => new(Channel);

    public static Dictionary<string, string?> DefaultSettings() => new()
    {
        ["Platform:Hosting:GrpcPort"] = "0",
        ["Platform:Hosting:HttpPort"] = "0",
        ["Platform:Hosting:BindAddress"] = "127.0.0.1",
        ["Platform:Auth:ApiKeys:0:Name"] = "reader",
        ["Platform:Auth:ApiKeys:0:Key"] = ReaderKey,
        ["Platform:Auth:ApiKeys:0:Scopes:0"] = "hostingtest.read",
        ["Platform:Auth:ApiKeys:1:Name"] = "outsider",
        ["Platform:Auth:ApiKeys:1:KeyHash"] = Sha256Hex(OutsiderKey),
        ["Platform:Auth:ApiKeys:1:Scopes:0"] = "catalog.read catalog.write",
        ["Platform:Auth:ApiKeys:2:Name"] = "admin",
        ["Platform:Auth:ApiKeys:2:KeyHash"] = Sha256Hex(AdminKey).ToUpperInvariant(),
        ["Platform:Auth:ApiKeys:2:Scopes:0"] = "hostingtest.admin",
        ["Platform:Auth:ApiKeys:3:Name"] = "writer",
        ["Platform:Auth:ApiKeys:3:Key"] = WriterKey,
        ["Platform:Auth:ApiKeys:3:Scopes:0"] = "hostingtest.write",
    };

    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddPlatformDefaults(ServiceName);
        return builder;
    }

    public static async Task<TestApp> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configureBuilder = null,
        Action<WebApplication>? configureApp = null)
    {
        var builder = CreateBuilder(settings ?? DefaultSettings());
        configureBuilder?.Invoke(builder);

        var app = builder.Build();
        app.MapPlatformDefaults();
        app.MapGrpcService<EchoService>().RequireScope(PlatformScopes.Read(ServiceName));
        app.MapGet("/api/orders", () => Results.Ok(new { count = 3 })).RequireScope(PlatformScopes.Write(ServiceName));
        app.MapGet("/api/whoami", (HttpContext context) => Results.Text(context.User.Identity?.Name ?? ""));
        configureApp?.Invoke(app);

        await app.StartAsync();
        return new TestApp(app);
    }

    public static Metadata ApiKey(string key) => new() { { "x-api-key", key } };

    public static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public sealed class EchoService : Echo.EchoBase
{
    public override Task<PingReply> Ping(PingRequest request, ServerCallContext context) =>
        Task.FromResult(new PingReply
        {
            Message = request.Message,
            Caller = context.GetHttpContext().User.Identity?.Name ?? "",
        });

    [RequireScope("hostingtest.admin")]
    public override Task<PurgeReply> Purge(PurgeRequest request, ServerCallContext context) =>
        Task.FromResult(new PurgeReply { Purged = 7 });
}

/// <summary>One running app shared by the read-only tests of a class; tests that change configuration start their own.</summary>
public sealed class SharedAppFixture : IAsyncLifetime
{
    private TestApp? _app;

    public TestApp App => _app ?? throw new InvalidOperationException("Fixture not started.");

    public async Task InitializeAsync() => _app = await TestApp.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
