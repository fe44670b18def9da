using Grpc.Core;
using Platform.Contracts.Order.V1;
using Platform.Hosting;
using Platform.Hosting.Runtime;
using Platform.Order.Infrastructure;

namespace Platform.Order.Api;

/// <summary>platform.order.v1.OrderService: order queries and the admin operations every service serves.</summary>
public sealed class OrderApi(OrderStore orders, OrderReconciler reconciler, PlatformAdmin admin) : Contracts.Order.V1.OrderService.OrderServiceBase
{
    public override async Task<GetOrderResponse> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.OrderId, "order_id");
        var found = await orders.FindAsync(request.OrderId, context.CancellationToken);
        if (found is not { Record: var order } || (request.StoreCode.Length > 0 && order.Snapshot.StoreCode != request.StoreCode))
        {
            throw ApiArguments.NotFound($"no order '{request.OrderId}'" + (request.StoreCode.Length > 0 ? $" in store '{request.StoreCode}'" : string.Empty));
        }

        return new GetOrderResponse { Order = OrderContracts.ToContract(order) };
    }

    [RequireScope("order.admin")]
    public override async Task<ReconcileOrdersResponse> ReconcileOrders(ReconcileOrdersRequest request, ServerCallContext context)
    {
        if (request.From is null || request.To is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "from and to are required"));
        }

        OrderReconciliationReport report;
        try
        {
            report = await reconciler.ReconcileAsync(request.From.ToDateTimeOffset(), request.To.ToDateTimeOffset(), request.StoreCode, context.CancellationToken);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }

        var result = new OrderReconciliation
        {
            From = request.From,
            To = request.To,
            StorefrontOrders = report.StorefrontOrders,
            ErpOrders = report.ErpOrders,
            MissingInErp = { report.MissingInErp },
            ExtraInErp = { report.ExtraInErp },
            Different = { report.Different.Select(d => new OrderDifference { OrderId = d.OrderId, Field = d.Field, StorefrontValue = d.StorefrontValue, ErpValue = d.ErpValue }) },
            Mismatches = report.Mismatches,
            ReconciledAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(report.ReconciledAt),
        };
        result.StorefrontTotals.AddRange(report.StorefrontTotals.Select(ToContract));
        result.ErpTotals.AddRange(report.ErpTotals.Select(ToContract));
        return new ReconcileOrdersResponse { Reconciliation = result };
    }

    private static CurrencyTotal ToContract(CurrencySum sum) =>
        new() { Total = Contracts.Common.V1.Money.FromDecimal(sum.Total, sum.Currency), Orders = sum.Orders };

    public override async Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        new() { Status = await admin.GetStatusAsync(context.CancellationToken) };

    public override Task<GetOwnershipPolicyResponse> GetOwnershipPolicy(GetOwnershipPolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new GetOwnershipPolicyResponse { Policy = admin.GetOwnershipPolicy() });

    [RequireScope("order.admin")]
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var (letters, next) = await admin.ListDeadLettersAsync(request.PageSize, request.PageToken, request.Filter, context.CancellationToken);
        return new ListDeadLettersResponse { DeadLetters = { letters }, NextPageToken = next };
    }

    [RequireScope("order.admin")]
    public override async Task<GetDeadLetterResponse> GetDeadLetter(GetDeadLetterRequest request, ServerCallContext context) =>
        new() { DeadLetter = await admin.GetDeadLetterAsync(request.Id, context.CancellationToken) };

    [RequireScope("order.admin")]
    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context) =>
        new() { ReplayedCount = await admin.ReplayDeadLettersAsync(request.Filter, context.CancellationToken) };
}
