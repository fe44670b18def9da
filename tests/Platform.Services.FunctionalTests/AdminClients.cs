using Grpc.Core;
using Grpc.Net.Client;
using Platform.Contracts.Common.V1;
using CatalogV1 = Platform.Contracts.Catalog.V1;
using CustomerV1 = Platform.Contracts.Customer.V1;
using InventoryV1 = Platform.Contracts.Inventory.V1;
using OrderV1 = Platform.Contracts.Order.V1;
using TrackingV1 = Platform.Contracts.Tracking.V1;

namespace Platform.Services.FunctionalTests;

/// <summary>The admin RPCs every domain serves, reached through each domain's own generated client.</summary>
public static class AdminClients
{
    public static readonly TheoryData<string> Domains = new() { "catalog", "inventory", "order", "customer", "tracking" };

    public static async Task<ServiceStatus> GetStatusAsync(string domain, GrpcChannel channel, CallOptions options) => domain switch
    {
        "catalog" => (await new CatalogV1.CatalogService.CatalogServiceClient(channel).GetStatusAsync(new(), options)).Status,
        "inventory" => (await new InventoryV1.InventoryService.InventoryServiceClient(channel).GetStatusAsync(new(), options)).Status,
        "order" => (await new OrderV1.OrderService.OrderServiceClient(channel).GetStatusAsync(new(), options)).Status,
        "customer" => (await new CustomerV1.CustomerService.CustomerServiceClient(channel).GetStatusAsync(new(), options)).Status,
        "tracking" => (await new TrackingV1.TrackingService.TrackingServiceClient(channel).GetStatusAsync(new(), options)).Status,
        _ => throw new ArgumentOutOfRangeException(nameof(domain)),
    };

    public static async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(string domain, GrpcChannel channel, CallOptions options, DeadLetterFilter? filter = null) => domain switch
    {
        "catalog" => (await new CatalogV1.CatalogService.CatalogServiceClient(channel).ListDeadLettersAsync(new() { Filter = filter }, options)).DeadLetters,
        "inventory" => (await new InventoryV1.InventoryService.InventoryServiceClient(channel).ListDeadLettersAsync(new() { Filter = filter }, options)).DeadLetters,
        "order" => (await new OrderV1.OrderService.OrderServiceClient(channel).ListDeadLettersAsync(new() { Filter = filter }, options)).DeadLetters,
        "customer" => (await new CustomerV1.CustomerService.CustomerServiceClient(channel).ListDeadLettersAsync(new() { Filter = filter }, options)).DeadLetters,
        "tracking" => (await new TrackingV1.TrackingService.TrackingServiceClient(channel).ListDeadLettersAsync(new() { Filter = filter }, options)).DeadLetters,
        _ => throw new ArgumentOutOfRangeException(nameof(domain)),
    };

    public static async Task<OwnershipPolicy> GetOwnershipPolicyAsync(string domain, GrpcChannel channel, CallOptions options) => domain switch
    {
        "catalog" => (await new CatalogV1.CatalogService.CatalogServiceClient(channel).GetOwnershipPolicyAsync(new(), options)).Policy,
        "inventory" => (await new InventoryV1.InventoryService.InventoryServiceClient(channel).GetOwnershipPolicyAsync(new(), options)).Policy,
        "order" => (await new OrderV1.OrderService.OrderServiceClient(channel).GetOwnershipPolicyAsync(new(), options)).Policy,
        "customer" => (await new CustomerV1.CustomerService.CustomerServiceClient(channel).GetOwnershipPolicyAsync(new(), options)).Policy,
        "tracking" => (await new TrackingV1.TrackingService.TrackingServiceClient(channel).GetOwnershipPolicyAsync(new(), options)).Policy,
        _ => throw new ArgumentOutOfRangeException(nameof(domain)),
    };
}
