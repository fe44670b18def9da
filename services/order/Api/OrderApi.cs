using Grpc.Core;
using Platform.Contracts.Order.V1;
using Platform.Hosting;
using Platform.Hosting.Runtime;
using Platform.Order.Infrastructure;

namespace Platform.Order.Api;

/// <summary>platform.order.v1.OrderService: order queries and the admin operations every service serves.</summary>
public sealed class OrderApi(OrderRepository orders, PlatformAdmin admin) : Contracts.Order.V1.OrderService.OrderServiceBase
{
    public override async Task<GetOrderResponse> GetOrder(GetOrderRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.OrderId, "order_id");
        var order = await orders.FindAsync(request.OrderId, context.CancellationToken);
        if (order is null || (request.StoreCode.Length > 0 && order.StoreCode != request.StoreCode))
        {
            throw ApiArguments.NotFound($"no order '{request.OrderId}'" + (request.StoreCode.Length > 0 ? $" in store '{request.StoreCode}'" : string.Empty));
        }

        return new GetOrderResponse { Order = order };
    }

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
