using Grpc.Core;
using Platform.Contracts.Customer.V1;
using Platform.Hosting;
using Platform.Hosting.Runtime;
using Platform.Customer.Infrastructure;

namespace Platform.Customer.Api;

/// <summary>platform.customer.v1.CustomerService: customer queries and the admin operations every service serves.</summary>
public sealed class CustomerApi(CustomerRepository customers, PlatformAdmin admin) : Contracts.Customer.V1.CustomerService.CustomerServiceBase
{
    // Returns personal data: callers need customer.read, and nothing here is logged.
    public override async Task<GetCustomerResponse> GetCustomer(GetCustomerRequest request, ServerCallContext context)
    {
        ApiArguments.Require(request.CustomerId, "customer_id");
        var customer = await customers.FindAsync(request.CustomerId, context.CancellationToken)
            ?? throw ApiArguments.NotFound($"no customer '{request.CustomerId}'");
        return new GetCustomerResponse { Customer = customer };
    }

    public override async Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        new() { Status = await admin.GetStatusAsync(context.CancellationToken) };

    public override Task<GetOwnershipPolicyResponse> GetOwnershipPolicy(GetOwnershipPolicyRequest request, ServerCallContext context) =>
        Task.FromResult(new GetOwnershipPolicyResponse { Policy = admin.GetOwnershipPolicy() });

    [RequireScope("customer.admin")]
    public override async Task<ListDeadLettersResponse> ListDeadLetters(ListDeadLettersRequest request, ServerCallContext context)
    {
        var (letters, next) = await admin.ListDeadLettersAsync(request.PageSize, request.PageToken, request.Filter, context.CancellationToken);
        return new ListDeadLettersResponse { DeadLetters = { letters }, NextPageToken = next };
    }

    [RequireScope("customer.admin")]
    public override async Task<GetDeadLetterResponse> GetDeadLetter(GetDeadLetterRequest request, ServerCallContext context) =>
        new() { DeadLetter = await admin.GetDeadLetterAsync(request.Id, context.CancellationToken) };

    [RequireScope("customer.admin")]
    public override async Task<ReplayDeadLettersResponse> ReplayDeadLetters(ReplayDeadLettersRequest request, ServerCallContext context) =>
        new() { ReplayedCount = await admin.ReplayDeadLettersAsync(request.Filter, context.CancellationToken) };
}
