using Grpc.Core;
using Platform.Contracts.Inventory.V1;

namespace Platform.Ctl.Tests;

/// <summary>
/// An inventory service that answers ReconcileInventory with a canned reconciliation, or refuses it with a chosen
/// status, so the command's rendering and exit codes are tested without the real reconciler and storefront; it
/// records what it was asked and with which key.
/// </summary>
public sealed class FakeInventoryService : InventoryService.InventoryServiceBase
{
    public InventoryReconciliation Reconciliation { get; set; } = new();

    public Status? Refusal { get; set; }

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public List<(ReconcileInventoryRequest Request, string? ApiKey)> Calls { get; } = [];

    public override async Task<ReconcileInventoryResponse> ReconcileInventory(ReconcileInventoryRequest request, ServerCallContext context)
    {
        lock (Calls)
        {
            Calls.Add((request, context.RequestHeaders.GetValue("x-api-key")));
        }

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.CancellationToken);
        }

        if (Refusal is { } refusal)
        {
            throw new RpcException(refusal);
        }

        return new ReconcileInventoryResponse { Reconciliation = Reconciliation };
    }
}
