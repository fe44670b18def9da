using Platform.Contracts.Tracking.V1;
using Platform.Hosting.Runtime;
using Platform.State;

namespace Platform.Tracking.Infrastructure;

/// <summary>Shipments reported by the 3PL/WMS, one key per shipment, indexed by order.</summary>
public sealed class ShipmentRepository(IStateStore store)
{
    public static string KeyFor(string shipmentId) => "shipment:" + shipmentId;

    /// <summary>Sorted index of one order's shipments, oldest first: an order may ship in several parts.</summary>
    public static string OrderIndex(string orderId) => "shipments-of:" + orderId;

    public Task<Shipment?> FindAsync(string shipmentId, CancellationToken cancellationToken) =>
        store.GetMessageAsync(KeyFor(shipmentId), Shipment.Parser, cancellationToken);

    public async Task<IReadOnlyList<Shipment>> ListForOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        var entries = await store.ReadIndexAsync(OrderIndex(orderId), 0, 1000, cancellationToken);
        return await store.GetMessagesAsync(entries.Select(e => KeyFor(e.Member)).ToList(), Shipment.Parser, cancellationToken);
    }
}
