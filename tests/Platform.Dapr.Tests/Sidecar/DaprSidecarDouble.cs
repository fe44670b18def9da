using System.Net;
using Dapr.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Platform.Dapr.Tests.Sidecar;

public sealed record DaprSidecarDoubleOptions
{
    public string AppId { get; init; } = "platform-test";
    public IReadOnlyList<string> StateStores { get; init; } = ["statestore"];
    public IReadOnlyList<string> PubSubs { get; init; } = ["pubsub"];
    public int PartitionsPerTopic { get; init; } = 4;

    /// <summary>daprd's app-health-probe-interval (seconds in a real sidecar; short here so tests do not wait).</summary>
    public TimeSpan AppHealthProbeInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The Kafka component's consumeRetryInterval: the pause before a record answered RETRY is delivered again.</summary>
    public TimeSpan ConsumeRetryInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The Kafka component's escapeHeaders.</summary>
    public bool EscapeHeaders { get; init; } = true;

    /// <summary>APP_API_TOKEN: sent to the app in dapr-api-token with every call.</summary>
    public string? AppApiToken { get; init; }
}

/// <summary>
/// A stand-in for daprd on 127.0.0.1: the state and publish part of its gRPC API (h2c, what DaprClient uses), its
/// HTTP health endpoint, in-memory state and pub/sub components, and the app channel that reads the app's
/// subscriptions and pushes deliveries to it. It follows the documented API; it is not a Dapr sidecar.
/// </summary>
public sealed class DaprSidecarDouble : IAsyncDisposable
{
    private readonly WebApplication _host;
    private readonly DaprSidecarDoubleOptions _options;
    private readonly Dictionary<string, StateComponentDouble> _stateStores;
    private readonly Dictionary<string, PubSubComponentDouble> _pubSubs;
    private readonly ILoggerFactory _loggers;
    private AppChannelDouble? _app;

    private DaprSidecarDouble(WebApplication host, DaprSidecarDoubleOptions options, Dictionary<string, StateComponentDouble> stateStores,
        Dictionary<string, PubSubComponentDouble> pubSubs, DaprRuntimeApiDouble api, ILoggerFactory loggers)
    {
        _host = host;
        _options = options;
        _stateStores = stateStores;
        _pubSubs = pubSubs;
        Api = api;
        _loggers = loggers;
    }

    public string GrpcEndpoint { get; private set; } = string.Empty;
    public string HttpEndpoint { get; private set; } = string.Empty;
    internal DaprRuntimeApiDouble Api { get; }
    internal AppChannelDouble App => _app ?? throw new InvalidOperationException("No app is connected to the sidecar double.");

    public static async Task<DaprSidecarDouble> StartAsync(DaprSidecarDoubleOptions? options = null, ILoggerFactory? loggers = null)
    {
        options ??= new DaprSidecarDoubleOptions();
        loggers ??= NullLoggerFactory.Instance;
        var time = TimeProvider.System;
        var stateStores = options.StateStores.ToDictionary(name => name, _ => new StateComponentDouble(options.AppId, time), StringComparer.Ordinal);
        var pubSubs = options.PubSubs.ToDictionary(name => name, name => new PubSubComponentDouble(name, options.AppId, options.PartitionsPerTopic, time), StringComparer.Ordinal);
        var api = new DaprRuntimeApiDouble(stateStores, pubSubs);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        ListenOptions? grpc = null;
        ListenOptions? http = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpc = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                http = listen;
            });
        });
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(api);
        var host = builder.Build();
        host.MapGrpcService<DaprRuntimeApiDouble>();
        host.MapGet("/v1.0/healthz", () => Results.NoContent());
        host.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        await host.StartAsync();

        return new DaprSidecarDouble(host, options, stateStores, pubSubs, api, loggers)
        {
            GrpcEndpoint = "http://" + grpc!.IPEndPoint,
            HttpEndpoint = "http://" + http!.IPEndPoint,
        };
    }

    public DaprClient CreateClient() => new DaprClientBuilder().UseGrpcEndpoint(GrpcEndpoint).UseHttpEndpoint(HttpEndpoint).Build();

    /// <summary>Points the sidecar at the app, as <c>--app-port</c> with app health checks on <paramref name="healthPath"/> does.</summary>
    public void ConnectApp(Uri app, string healthPath)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The sidecar double already has an app.");
        }

        _app = new AppChannelDouble(_options, _pubSubs, app, healthPath, _loggers.CreateLogger<AppChannelDouble>());
    }

    internal StateComponentDouble State(string component) => _stateStores[component];

    internal PubSubComponentDouble PubSub(string component) => _pubSubs[component];

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _host.StopAsync();
        await _host.DisposeAsync();
    }
}
