using Grpc.Core;
using Platform.Contracts.Order.V1;

namespace Platform.Ctl.Tests;

/// <summary>
/// An order service that answers ReconcileOrders with a canned reconciliation, so the command's rendering and exit
/// codes are tested without the real reconciler; it records what it was asked and with which key.
/// </summary>
public sealed class FakeOrderService : OrderService.OrderServiceBase
{
    public OrderReconciliation Reconciliation { get; set; } = new();

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public List<(ReconcileOrdersRequest Request, string? ApiKey)> Calls { get; } = [];

    public override async Task<ReconcileOrdersResponse> ReconcileOrders(ReconcileOrdersRequest request, ServerCallContext context)
    {
        lock (Calls)
        {
            Calls.Add((request, context.RequestHeaders.GetValue("x-api-key")));
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.CancellationToken);
        }

        return new ReconcileOrdersResponse { Reconciliation = Reconciliation };
    }
}
