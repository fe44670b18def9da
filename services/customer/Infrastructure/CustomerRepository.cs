using Platform.Contracts.Customer.V1;
using Platform.Hosting.Runtime;
using Platform.State;

namespace Platform.Customer.Infrastructure;

/// <summary>The canonical customer, one key per platform customer id.</summary>
public sealed class CustomerRepository(IStateStore store)
{
    public static string KeyFor(string customerId) => "customer:" + customerId;

    public Task<Contracts.Customer.V1.Customer?> FindAsync(string customerId, CancellationToken cancellationToken) =>
        store.GetMessageAsync(KeyFor(customerId), Contracts.Customer.V1.Customer.Parser, cancellationToken);
}
