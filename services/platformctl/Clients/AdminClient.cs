using Platform.Contracts.Common.V1;
using CatalogV1 = Platform.Contracts.Catalog.V1;
using CustomerV1 = Platform.Contracts.Customer.V1;
using InventoryV1 = Platform.Contracts.Inventory.V1;
using OrderV1 = Platform.Contracts.Order.V1;
using TrackingV1 = Platform.Contracts.Tracking.V1;

namespace Platform.Ctl.Clients;

public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> DeadLetters, string NextPageToken);

/// <summary>
/// The admin calls every domain serves. Each domain has its own request and response messages (one proto package
/// per domain), wrapping the same common types, so the commands see one client and this class maps per domain.
/// </summary>
public sealed class AdminClient
{
    private readonly ServiceConnection _connection;
    private readonly Operations _operations;

    public AdminClient(ServiceConnection connection)
    {
        _connection = connection;
        _operations = connection.Service switch
        {
            PlatformServices.Catalog => Catalog(new CatalogV1.CatalogService.CatalogServiceClient(connection.Invoker)),
            PlatformServices.Inventory => Inventory(new InventoryV1.InventoryService.InventoryServiceClient(connection.Invoker)),
            PlatformServices.Order => Order(new OrderV1.OrderService.OrderServiceClient(connection.Invoker)),
            PlatformServices.Customer => Customer(new CustomerV1.CustomerService.CustomerServiceClient(connection.Invoker)),
            PlatformServices.Tracking => Tracking(new TrackingV1.TrackingService.TrackingServiceClient(connection.Invoker)),
            _ => throw new ArgumentOutOfRangeException(nameof(connection), connection.Service, "not a platform service"),
        };
    }

    public string Service => _connection.Service;

    public Uri Endpoint => _connection.Endpoint;

    public async Task<ServiceStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        await _connection.CallAsync("GetStatus", _operations.GetStatus, cancellationToken);

    public async Task<DeadLetterPage> ListDeadLettersAsync(int pageSize, string pageToken, DeadLetterFilter filter, CancellationToken cancellationToken) =>
        await _connection.CallAsync("ListDeadLetters", options => _operations.ListDeadLetters(pageSize, pageToken, filter, options), cancellationToken);

    public async Task<DeadLetter> GetDeadLetterAsync(string id, CancellationToken cancellationToken) =>
        await _connection.CallAsync("GetDeadLetter", options => _operations.GetDeadLetter(id, options), cancellationToken);

    public async Task<long> ReplayDeadLettersAsync(DeadLetterFilter filter, CancellationToken cancellationToken) =>
        await _connection.CallAsync("ReplayDeadLetters", options => _operations.ReplayDeadLetters(filter, options), cancellationToken);

    private sealed record Operations(
        Func<Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<ServiceStatus>> GetStatus,
        Func<int, string, DeadLetterFilter, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<DeadLetterPage>> ListDeadLetters,
        Func<string, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<DeadLetter>> GetDeadLetter,
        Func<DeadLetterFilter, Grpc.Core.CallOptions, Grpc.Core.AsyncUnaryCall<long>> ReplayDeadLetters);

    private static Operations Catalog(CatalogV1.CatalogService.CatalogServiceClient client) => new(
        options => Map(client.GetStatusAsync(new(), options), response => response.Status),
        (size, token, filter, options) => Map(
            client.ListDeadLettersAsync(new() { PageSize = size, PageToken = token, Filter = filter }, options),
            response => new DeadLetterPage(response.DeadLetters, response.NextPageToken)),
        (id, options) => Map(client.GetDeadLetterAsync(new() { Id = id }, options), response => response.DeadLetter),
        (filter, options) => Map(client.ReplayDeadLettersAsync(new() { Filter = filter }, options), response => response.ReplayedCount));

    private static Operations Inventory(InventoryV1.InventoryService.InventoryServiceClient client) => new(
        options => Map(client.GetStatusAsync(new(), options), response => response.Status),
        (size, token, filter, options) => Map(
            client.ListDeadLettersAsync(new() { PageSize = size, PageToken = token, Filter = filter }, options),
            response => new DeadLetterPage(response.DeadLetters, response.NextPageToken)),
        (id, options) => Map(client.GetDeadLetterAsync(new() { Id = id }, options), response => response.DeadLetter),
        (filter, options) => Map(client.ReplayDeadLettersAsync(new() { Filter = filter }, options), response => response.ReplayedCount));

    private static Operations Order(OrderV1.OrderService.OrderServiceClient client) => new(
        options => Map(client.GetStatusAsync(new(), options), response => response.Status),
        (size, token, filter, options) => Map(
            client.ListDeadLettersAsync(new() { PageSize = size, PageToken = token, Filter = filter }, options),
            response => new DeadLetterPage(response.DeadLetters, response.NextPageToken)),
        (id, options) => Map(client.GetDeadLetterAsync(new() { Id = id }, options), response => response.DeadLetter),
        (filter, options) => Map(client.ReplayDeadLettersAsync(new() { Filter = filter }, options), response => response.ReplayedCount));

    private static Operations Customer(CustomerV1.CustomerService.CustomerServiceClient client) => new(
        options => Map(client.GetStatusAsync(new(), options), response => response.Status),
        (size, token, filter, options) => Map(
            client.ListDeadLettersAsync(new() { PageSize = size, PageToken = token, Filter = filter }, options),
            response => new DeadLetterPage(response.DeadLetters, response.NextPageToken)),
        (id, options) => Map(client.GetDeadLetterAsync(new() { Id = id }, options), response => response.DeadLetter),
        (filter, options) => Map(client.ReplayDeadLettersAsync(new() { Filter = filter }, options), response => response.ReplayedCount));

    private static Operations Tracking(TrackingV1.TrackingService.TrackingServiceClient client) => new(
        options => Map(client.GetStatusAsync(new(), options), response => response.Status),
        (size, token, filter, options) => Map(
            client.ListDeadLettersAsync(new() { PageSize = size, PageToken = token, Filter = filter }, options),
            response => new DeadLetterPage(response.DeadLetters, response.NextPageToken)),
        (id, options) => Map(client.GetDeadLetterAsync(new() { Id = id }, options), response => response.DeadLetter),
        (filter, options) => Map(client.ReplayDeadLettersAsync(new() { Filter = filter }, options), response => response.ReplayedCount));

    // Keeps the call's status, headers and disposal while converting its response, so the connection's error
    // handling sees the same RpcException a plain generated call would throw.
    private static Grpc.Core.AsyncUnaryCall<TResult> Map<TResponse, TResult>(Grpc.Core.AsyncUnaryCall<TResponse> call, Func<TResponse, TResult> convert) =>
        new(
            ConvertAsync(call.ResponseAsync, convert),
            call.ResponseHeadersAsync,
            call.GetStatus,
            call.GetTrailers,
            call.Dispose);

    private static async Task<TResult> ConvertAsync<TResponse, TResult>(Task<TResponse> response, Func<TResponse, TResult> convert) =>
        convert(await response);
}
