using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

/// <summary>
/// The addresses a started app actually listens on, for callers (tests, the local host) to dial. A wildcard bind
/// (0.0.0.0 or ::) is reported as the matching loopback address, because a wildcard is not something one can dial.
/// </summary>
public sealed record PlatformEndpoints(Uri Grpc, Uri Http)
{
    public int GrpcPort => Grpc.Port;

    public int HttpPort => Http.Port;
}

public static class PlatformEndpointsExtensions
{
    public static PlatformEndpoints GetPlatformEndpoints(this IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Services.GetPlatformEndpoints();
    }

    /// <summary>Reads the bound ports after <c>StartAsync</c>; with port 0 configured these are the ports the OS chose.</summary>
    public static PlatformEndpoints GetPlatformEndpoints(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var listeners = services.GetRequiredService<PlatformListeners>();
        var addresses = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        if (addresses is null || addresses.Count == 0 || listeners.Grpc is null || listeners.Http is null)
        {
            throw new InvalidOperationException("The server has not started yet: call StartAsync (or Run) before reading its endpoints.");
        }

        return new PlatformEndpoints(ResolveBound(listeners.Grpc, addresses), ResolveBound(listeners.Http, addresses));
    }

    // Kestrel writes the OS-assigned port back into the ListenOptions it bound, and lists the same endpoint in the
    // server addresses; requiring both guards against reading a listener that failed to bind.
    private static Uri ResolveBound(ListenOptions listener, ICollection<string> addresses)
    {
        var bound = listener.IPEndPoint ?? throw new InvalidOperationException("Platform listeners bind IP endpoints only.");
        if (bound.Port == 0)
        {
            throw new InvalidOperationException("The server has not bound its listeners yet.");
        }

        var matching = addresses
            .Select(address => Uri.TryCreate(address, UriKind.Absolute, out var uri) ? uri : null)
            .FirstOrDefault(uri => uri is not null && uri.Port == bound.Port)
            ?? throw new InvalidOperationException($"Port {bound.Port} is not among the server addresses ({string.Join(", ", addresses)}).");

        var host = bound.Address switch
        {
            var any when any.Equals(IPAddress.Any) => IPAddress.Loopback.ToString(),
            var any when any.Equals(IPAddress.IPv6Any) => "[" + IPAddress.IPv6Loopback + "]",
            { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } v6 => "[" + v6 + "]",
            var other => other.ToString(),
        };

        return new Uri($"{matching.Scheme}://{host}:{bound.Port}");
    }
}

/// <summary>The two listeners this app configured, kept per app so six apps in one process never mix up ports.</summary>
internal sealed class PlatformListeners
{
    internal ListenOptions? Grpc { get; set; }

    internal ListenOptions? Http { get; set; }
}

internal static class PlatformKestrel
{
    public static void Configure(IServiceCollection services)
    {
        services.AddSingleton<PlatformListeners>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<PlatformHostingOptions>, PlatformListeners>((kestrel, hosting, listeners) =>
            {
                // Reading .Value validates the options, so a bad port fails with the option message, not a socket error.
                var options = hosting.Value;
                var address = IPAddress.Parse(options.BindAddress);
                kestrel.AddServerHeader = false;
                kestrel.Listen(address, options.GrpcPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listeners.Grpc = listen;
                });
                kestrel.Listen(address, options.HttpPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listeners.Http = listen;
                });
            });
    }
}
