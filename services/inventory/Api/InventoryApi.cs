using Grpc.Core;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting;
using Platform.Hosting.Runtime;
using Platform.Inventory.Infrastructure;

namespace Platform.Inventory.Api;

/// <summary>platform.inventory.v1.InventoryService: stock queries, the settle command, reconciliation, and the admin operations every service serves.</summary>
public sealed class InventoryApi(StockStore stock, OrderReservations reservations, InventoryReconciler reconciler, PlatformAdmin admin, TimeProvider time)
    : Contracts.Inventory.V1.InventoryService.InventoryServiceBase
{
    private const int MaxAvailabilitySkus = 500;
    private const int MaxReconcileSkus = 100_000;

    public override async Task<GetStockLevelResponse> GetStockLevel(GetStockLevelRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.Sku, "sku");
        ApiArguments.Require(request.LocationCode, "location_code");
        var availability = await stock.FindAvailabilityAsync(request.Sku, context.CancellationToken);
        var level = availability?.Locations.FirstOrDefault(l => l.LocationCode == request.LocationCode)
            ?? throw ApiArguments.NotFound($"no stock level for SKU '{request.Sku}' at '{request.LocationCode}'");
        return new GetStockLevelResponse { StockLevel = level };
    }

    // Answered from the read model only: it never calls the ERP, so it can never slow a storefront page.
    public override async Task<GetAvailabilityResponse> GetAvailability(GetAvailabilityRequest request, ServerCallContext context)
    {
        if (request.Skus.Count is 0 or > MaxAvailabilitySkus)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"skus must list 1 to {MaxAvailabilitySkus} SKUs (got {request.Skus.Count})"));
        }

        var skus = request.Skus.Select(sku => ApiArguments.Require(sku, "skus[]")).Distinct(StringComparer.Ordinal).ToList();
        var found = (await stock.FindAvailabilityAsync(skus, context.CancellationToken)).ToDictionary(a => a.Sku, StringComparer.Ordinal);
        return new GetAvailabilityResponse
        {
            Availability =
            {
                skus.Select(sku => found.GetValueOrDefault(sku)
                    ?? new SkuAvailability { Sku = sku, Salable = DecimalValue.FromDecimal(0), Status = StockStatus.OutOfStock }),
            },
        };
    }

    [RequireScope("inventory.write")]
    public override async Task<SettleReservationsResponse> SettleReservations(SettleReservationsRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.OrderId, "order_id");
        ApiArguments.Require(request.ShipmentId, "shipment_id");
        var (order, _) = await stock.LoadOrderAsync(request.OrderId, context.CancellationToken);
        if (order.Lines.Count == 0)
        {
            throw ApiArguments.NotFound($"inventory holds no reservations for order '{request.OrderId}'");
        }

        var changes = new List<LineChange>();
        if (request.Lines.Count == 0)
        {
            changes.AddRange(order.Lines.Where(l => l.Value.Open > 0).Select(l => new LineChange(l.Key, l.Value.Sku, AddShipped: l.Value.Open)));
        }
        else
        {
            foreach (var line in request.Lines)
            {
                ApiArguments.Require(line.LineId, "lines[].line_id");
                if (!order.Lines.TryGetValue(line.LineId, out var known))
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"order '{request.OrderId}' has no line '{line.LineId}'"));
                }

                if (!string.IsNullOrEmpty(line.Sku) && line.Sku != known.Sku)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"line '{line.LineId}' is SKU '{known.Sku}', not '{line.Sku}'"));
                }

                var quantity = line.Quantity?.ToDecimal() ?? 0;
                if (quantity <= 0)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"lines[{line.LineId}].quantity must be positive"));
                }

                changes.Add(new LineChange(line.LineId, known.Sku, AddShipped: quantity));
            }
        }

        var settled = await reservations.ApplyAsync(request.OrderId, 0, changes, request.ShipmentId, null, null, time.GetUtcNow(), null, context.CancellationToken);
        return new SettleReservationsResponse { Applied = settled is not null, Settled = DecimalValue.FromDecimal(settled ?? 0) };
    }

    [RequireScope("inventory.admin")]
    public override async Task<ReconcileInventoryResponse> ReconcileInventory(ReconcileInventoryRequest request, ServerCallContext context)
    {
        if (request.Skus.Count > MaxReconcileSkus)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"skus may list at most {MaxReconcileSkus} SKUs"));
        }

        try
        {
            return new ReconcileInventoryResponse
            {
                Reconciliation = await reconciler.ReconcileAsync(request.Skus.Select(s => ApiArguments.Require(s, "skus[]")).ToList(), request.Target, context.CancellationToken),
            };
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    public override async Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        new() { Status = await admin.GetStatusAsync(context.CancellationToken) };

    public override Task<GetOwnershipPolicyResponse> GetOwnershipPolicy(GetOwnershipPolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new GetOwnershipPolicyResponse { Policy = admin.GetOwnershipPolicy() });

    [RequireScope("inventory.admin")]
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var (letters, next) = await admin.ListDeadLettersAsync(request.PageSize, request.PageToken, request.Filter, context.CancellationToken);
        return new ListDeadLettersResponse { DeadLetters = { letters }, NextPageToken = next };
    }

    [RequireScope("inventory.admin")]
    public override async Task<GetDeadLetterResponse> GetDeadLetter(GetDeadLetterRequest request, ServerCallContext context) =>
        new() { DeadLetter = await admin.GetDeadLetterAsync(request.Id, context.CancellationToken) };

    [RequireScope("inventory.admin")]
    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context) =>
        new() { ReplayedCount = await admin.ReplayDeadLettersAsync(request.Filter, context.CancellationToken) };
}
