using Grpc.Core;
using Platform.Contracts.Catalog.V1;
using Platform.Hosting;
using Platform.Hosting.Runtime;
using Platform.Catalog.Infrastructure;

namespace Platform.Catalog.Api;

/// <summary>platform.catalog.v1.CatalogService: catalog queries and the admin operations every service serves.</summary>
public sealed class CatalogApi(ProductRepository products, PlatformAdmin admin) : Contracts.Catalog.V1.CatalogService.CatalogServiceBase
{
    public override async Task<GetProductResponse> GetProduct(GetProductRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.Sku, "sku");
        var product = await products.FindAsync(request.Sku, context.CancellationToken)
            ?? throw ApiArguments.NotFound($"no product with SKU '{request.Sku}'");
        return new GetProductResponse { Product = product };
    }

    public override async Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        new() { Status = await admin.GetStatusAsync(context.CancellationToken) };

    public override Task<GetOwnershipPolicyResponse> GetOwnershipPolicy(GetOwnershipPolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new GetOwnershipPolicyResponse { Policy = admin.GetOwnershipPolicy() });

    [RequireScope("catalog.admin")]
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var (letters, next) = await admin.ListDeadLettersAsync(request.PageSize, request.PageToken, request.Filter, context.CancellationToken);
        return new ListDeadLettersResponse { DeadLetters = { letters }, NextPageToken = next };
    }

    [RequireScope("catalog.admin")]
    public override async Task<GetDeadLetterResponse> GetDeadLetter(GetDeadLetterRequest request, ServerCallContext context) =>
        new() { DeadLetter = await admin.GetDeadLetterAsync(request.Id, context.CancellationToken) };

    [RequireScope("catalog.admin")]
    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context) =>
        new() { ReplayedCount = await admin.ReplayDeadLettersAsync(request.Filter, context.CancellationToken) };
}
