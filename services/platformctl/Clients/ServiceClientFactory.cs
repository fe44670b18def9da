using Grpc.Net.Client;
using Platform.Contracts.Inventory.V1;
using Platform.Contracts.Order.V1;

namespace Platform.Ctl.Clients;

/// <summary>Opens one channel per service on first use and closes them all when the command ends.</summary>
public sealed class ServiceClientFactory(EndpointMap endpoints, string? apiKey, TimeSpan timeout, TimeProvider time) : IDisposable
{
    // A page of 1,000 dead letters carries their payloads; gRPC's 4 MB default would refuse a page of large events.
    private const int MaxReceiveMessageBytes = 64 * 1024 * 1024;

    private readonly Dictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public TimeSpan Timeout { get; } = timeout;

    public ServiceConnection Connect(string service)
    {
        if (!_channels.TryGetValue(service, out var channel))
        {
            channel = GrpcChannel.ForAddress(endpoints[service], new GrpcChannelOptions
            {
                MaxReceiveMessageSize = MaxReceiveMessageBytes,
                // Bounds the TCP/TLS connect too, so an address that drops packets fails as fast as one that refuses.
                HttpHandler = new SocketsHttpHandler { ConnectTimeout = Timeout, EnableMultipleHttp2Connections = true },
                DisposeHttpClient = true,
            });
            _channels[service] = channel;
        }

        return new ServiceConnection(service, endpoints[service], channel.CreateCallInvoker(), apiKey, Timeout, time);
    }

    public AdminClient Admin(string service) => new(Connect(service));

    public (ServiceConnection Connection, OrderService.OrderServiceClient Client) Orders()
    {
        var connection = Connect(PlatformServices.Order);
        return (connection, new OrderService.OrderServiceClient(connection.Invoker));
    }

    public (ServiceConnection Connection, InventoryService.InventoryServiceClient Client) Inventory()
    {
        var connection = Connect(PlatformServices.Inventory);
        return (connection, new InventoryService.InventoryServiceClient(connection.Invoker));
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }
}
