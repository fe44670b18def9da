using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Catalog.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Contracts.Tracking.V1;
using Platform.State;

namespace Platform.Services.FunctionalTests;

public sealed class DomainQueryTests
{
    private static Task Put(ServiceHost host, string key, IMessage message) =>
        host.App.Services.GetRequiredService<IStateStore>().SetAsync(key, message.ToByteArray());

    [Fact]
    public async Task A_product_is_served_by_SKU_and_an_unknown_SKU_is_not_found()
    {
        await using var host = await ServiceHost.StartAsync("catalog");
        var client = new CatalogService.CatalogServiceClient(host.Channel);
        await Put(host, "product:SKU-1", new Product { Sku = "SKU-1", Family = "shoes" });

        var found = await client.GetProductAsync(new GetProductRequest { Sku = "SKU-1" }, ServiceHost.WithKey(ServiceHost.ReaderKey));
        Assert.Equal("shoes", found.Product.Family);

        var missing = await Assert.ThrowsAsync<RpcException>(() => client.GetProductAsync(new GetProductRequest { Sku = "SKU-404" }, ServiceHost.WithKey(ServiceHost.ReaderKey)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("SKU-404", missing.Status.Detail, StringComparison.Ordinal);
        var empty = await Assert.ThrowsAsync<RpcException>(() => client.GetProductAsync(new GetProductRequest(), ServiceHost.WithKey(ServiceHost.ReaderKey)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal("sku is required", empty.Status.Detail);
    }

    [Fact]
    public async Task Availability_reads_only_the_read_model_and_bounds_the_request()
    {
        await using var host = await ServiceHost.StartAsync("inventory");
        var client = new InventoryService.InventoryServiceClient(host.Channel);
        await Put(host, "availability:SKU-1", new SkuAvailability { Sku = "SKU-1" });

        var reply = await client.GetAvailabilityAsync(new GetAvailabilityRequest { Skus = { "SKU-1", "SKU-2", "SKU-1" } }, ServiceHost.WithKey(ServiceHost.ReaderKey));
        Assert.Equal(["SKU-1", "SKU-2"], reply.Availability.Select(a => a.Sku));
        Assert.Equal(StockStatus.OutOfStock, reply.Availability[1].Status);
        Assert.Equal(0m, reply.Availability[1].Salable.ToDecimal());

        var tooMany = new GetAvailabilityRequest();
        tooMany.Skus.AddRange(Enumerable.Range(0, 501).Select(i => $"SKU-{i}"));
        var error = await Assert.ThrowsAsync<RpcException>(() => client.GetAvailabilityAsync(tooMany, ServiceHost.WithKey(ServiceHost.ReaderKey)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task Shipments_of_an_order_are_listed_oldest_first()
    {
        await using var host = await ServiceHost.StartAsync("tracking");
        var store = host.App.Services.GetRequiredService<IStateStore>();
        await store.CommitAsync(new StateTransaction()
            .Set("shipment:S2", new Shipment { ShipmentId = "S2", OrderId = "O1" }.ToByteArray())
            .Set("shipment:S1", new Shipment { ShipmentId = "S1", OrderId = "O1" }.ToByteArray())
            .AddToIndex("shipments-of:O1", "S2", 2)
            .AddToIndex("shipments-of:O1", "S1", 1));
        var client = new TrackingService.TrackingServiceClient(host.Channel);

        var reply = await client.ListShipmentsAsync(new ListShipmentsRequest { OrderId = "O1" }, ServiceHost.WithKey(ServiceHost.ReaderKey));
        Assert.Equal(["S1", "S2"], reply.Shipments.Select(s => s.ShipmentId));
    }
}
