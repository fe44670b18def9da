using Grpc.Core;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting;
using Platform.Hosting.Runtime;
using Platform.Inventory.Infrastructure;

namespace Platform.Inventory.Api;

/// <summary>platform.inventory.v1.InventoryService: inventory queries and the admin operations every service serves.</summary>
public sealed class InventoryApi(StockRepository stock, PlatformAdmin admin) : Contracts.Inventory.V1.InventoryService.InventoryServiceBase
{
    private const int MaxAvailabilitySkus = 500;

    public override async Task<GetStockLevelResponse> GetStockLevel(GetStockLevelRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.Sku, "sku");
        ApiArguments.Require(request.LocationCode, "location_code");
        var level = await stock.FindLevelAsync(request.Sku, request.LocationCode, context.CancellationToken)
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
        return new GetAvailabilityResponse { Availability = { await stock.FindAvailabilityAsync(skus, context.CancellationToken) } };
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
