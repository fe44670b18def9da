using Grpc.Core;
using Platform.Contracts.Tracking.V1;
using Platform.Hosting;
using Platform.Hosting.Runtime;
using Platform.Tracking.Infrastructure;

namespace Platform.Tracking.Api;

/// <summary>platform.tracking.v1.TrackingService: tracking queries and the admin operations every service serves.</summary>
public sealed class TrackingApi(ShipmentRepository shipments, PlatformAdmin admin) : Contracts.Tracking.V1.TrackingService.TrackingServiceBase
{
    public override async Task<GetShipmentResponse> GetShipment(GetShipmentRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.ShipmentId, "shipment_id");
        var shipment = await shipments.FindAsync(request.ShipmentId, context.CancellationToken)
            ?? throw ApiArguments.NotFound($"no shipment '{request.ShipmentId}'");
        return new GetShipmentResponse { Shipment = shipment };
    }

    public override async Task<ListShipmentsResponse> ListShipments(ListShipmentsRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.OrderId, "order_id");
        return new ListShipmentsResponse { Shipments = { await shipments.ListForOrderAsync(request.OrderId, context.CancellationToken) } };
    }

    public override async Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        new() { Status = await admin.GetStatusAsync(context.CancellationToken) };

    public override Task<GetOwnershipPolicyResponse> GetOwnershipPolicy(GetOwnershipPolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new GetOwnershipPolicyResponse { Policy = admin.GetOwnershipPolicy() });

    [RequireScope("tracking.admin")]
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var (letters, next) = await admin.ListDeadLettersAsync(request.PageSize, request.PageToken, request.Filter, context.CancellationToken);
        return new ListDeadLettersResponse { DeadLetters = { letters }, NextPageToken = next };
    }

    [RequireScope("tracking.admin")]
    public override async Task<GetDeadLetterResponse> GetDeadLetter(GetDeadLetterRequest request, ServerCallContext context) =>
        new() { DeadLetter = await admin.GetDeadLetterAsync(request.Id, context.CancellationToken) };

    [RequireScope("tracking.admin")]
    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context) =>
        new() { ReplayedCount = await admin.ReplayDeadLettersAsync(request.Filter, context.CancellationToken) };
}
