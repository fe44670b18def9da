using Google.Protobuf.Reflection;

namespace Platform.Contracts.Tests;

public sealed class DescriptorTests
{
    private static readonly string[] AdminMethods = ["GetStatus", "ListDeadLetters", "GetDeadLetter", "ReplayDeadLetters", "GetOwnershipPolicy"];

    public static TheoryData<string, string, string[]> Domains => new()
    {
        { "catalog", "Catalog", ["GetProduct"] },
        { "inventory", "Inventory", ["GetStockLevel", "GetAvailability", "SettleReservations", "ReconcileInventory"] },
        { "order", "Order", ["GetOrder", "ReconcileOrders"] },
        { "customer", "Customer", ["GetCustomer"] },
        { "tracking", "Tracking", ["GetShipment", "ListShipments"] },
    };

    public static TheoryData<string, string> DomainNamespaces => new()
    {
        { "catalog", "Catalog" },
        { "inventory", "Inventory" },
        { "order", "Order" },
        { "customer", "Customer" },
        { "tracking", "Tracking" },
    };

    [Theory]
    [MemberData(nameof(DomainNamespaces))]
    public void Every_file_of_a_domain_is_in_its_versioned_package_and_namespace(string domain, string pascal)
    {
        var files = EventContracts.Files.Where(file => file.Name.StartsWith($"platform/{domain}/", StringComparison.Ordinal)).ToList();

        // Order and inventory have a fourth file: their ingest topic's records, internal to the service.
        Assert.Equal(domain is "order" or "inventory" ? 4 : 3, files.Count);
        foreach (var file in files)
        {
            Assert.Equal($"platform.{domain}.v1", file.Package);
            Assert.All(file.MessageTypes, message =>
            {
                Assert.StartsWith($"platform.{domain}.v1.", message.FullName, StringComparison.Ordinal);
                Assert.Equal($"Platform.Contracts.{pascal}.V1", message.ClrType.Namespace);
            });
        }
    }

    [Theory]
    [MemberData(nameof(Domains))]
    public void Every_domain_service_has_the_admin_calls_and_its_queries_and_nothing_else(string domain, string pascal, string[] queries)
    {
        var service = EventContracts.Files
            .SelectMany(file => file.Services)
            .Single(candidate => candidate.FullName == $"platform.{domain}.v1.{pascal}Service");

        Assert.Equal(
            AdminMethods.Concat(queries).Order(StringComparer.Ordinal),
            service.Methods.Select(method => method.Name).Order(StringComparer.Ordinal));
        Assert.All(service.Methods, method =>
        {
            Assert.False(method.IsClientStreaming || method.IsServerStreaming, $"{method.FullName} streams");
            Assert.Equal($"{method.Name}Request", method.InputType.Name);
            Assert.Equal($"{method.Name}Response", method.OutputType.Name);
            Assert.Equal(service.File.Package, method.InputType.File.Package);
        });
    }

    [Fact]
    public void Client_and_server_stubs_are_generated_for_every_service()
    {
        (System.Type Server, System.Type Client, ServiceDescriptor Descriptor)[] stubs =
        [
            (typeof(Catalog.V1.CatalogService.CatalogServiceBase), typeof(Catalog.V1.CatalogService.CatalogServiceClient), Catalog.V1.CatalogService.Descriptor),
            (typeof(Inventory.V1.InventoryService.InventoryServiceBase), typeof(Inventory.V1.InventoryService.InventoryServiceClient), Inventory.V1.InventoryService.Descriptor),
            (typeof(Order.V1.OrderService.OrderServiceBase), typeof(Order.V1.OrderService.OrderServiceClient), Order.V1.OrderService.Descriptor),
            (typeof(Customer.V1.CustomerService.CustomerServiceBase), typeof(Customer.V1.CustomerService.CustomerServiceClient), Customer.V1.CustomerService.Descriptor),
            (typeof(Tracking.V1.TrackingService.TrackingServiceBase), typeof(Tracking.V1.TrackingService.TrackingServiceClient), Tracking.V1.TrackingService.Descriptor),
        ];

        Assert.All(stubs, stub =>
        {
            Assert.True(stub.Server.IsAbstract, $"{stub.Server.Name} is the base a service implements");
            Assert.All(stub.Descriptor.Methods, method => Assert.NotNull(stub.Server.GetMethod(method.Name)));
            Assert.All(stub.Descriptor.Methods, method => Assert.NotNull(stub.Client.GetMethod(method.Name + "Async", [method.InputType.ClrType, typeof(Grpc.Core.CallOptions)])));
        });
    }

    [Fact]
    public void Common_types_are_in_the_common_package()
    {
        var common = EventContracts.Files.Where(file => file.Name.StartsWith("platform/common/", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(common);
        Assert.All(common, file => Assert.Equal("platform.common.v1", file.Package));
        Assert.All(common.SelectMany(file => file.MessageTypes), message => Assert.Equal("Platform.Contracts.Common.V1", message.ClrType.Namespace));
        Assert.Empty(common.SelectMany(file => file.Services));
    }

    [Fact]
    public void The_file_list_covers_every_generated_file()
    {
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<FileDescriptor>(EventContracts.Files);
        while (pending.TryPop(out var file))
        {
            if (reachable.Add(file.Name))
            {
                foreach (var dependency in file.Dependencies)
                {
                    pending.Push(dependency);
                }
            }
        }

        var generated = typeof(EventContract).Assembly.GetTypes()
            .Where(type => type.Name.EndsWith("Reflection", StringComparison.Ordinal) && type.GetProperty("Descriptor")?.PropertyType == typeof(FileDescriptor))
            .Select(type => ((FileDescriptor)type.GetProperty("Descriptor")!.GetValue(null)!).Name)
            .Order(StringComparer.Ordinal);

        Assert.Equal(generated, EventContracts.Files.Select(file => file.Name).Order(StringComparer.Ordinal));
        Assert.All(reachable.Where(name => name.StartsWith("platform/", StringComparison.Ordinal)), name => Assert.Contains(name, generated));
    }
}
