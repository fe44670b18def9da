using Platform.Contracts.Order.V1;
using Platform.Hosting.Runtime;
using Platform.State;

namespace Platform.Order.Infrastructure;

/// <summary>Orders as the order service last accepted them, one key per platform order id.</summary>
public sealed class OrderRepository(IStateStore store)
{
    public static string KeyFor(string orderId) => "order:" + orderId;

    public Task<Contracts.Order.V1.Order?> FindAsync(string orderId, CancellationToken cancellationToken) =>
        store.GetMessageAsync(KeyFor(orderId), Contracts.Order.V1.Order.Parser, cancellationToken);
}
