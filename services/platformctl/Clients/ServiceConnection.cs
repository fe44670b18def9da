using Grpc.Core;

namespace Platform.Ctl.Clients;

/// <summary>One service's channel with the key and deadline every call must carry.</summary>
public sealed class ServiceConnection(string service, Uri endpoint, CallInvoker invoker, string? apiKey, TimeSpan timeout, TimeProvider time)
{
    public const string ApiKeyHeader = "x-api-key";

    public string Service { get; } = service;

    public Uri Endpoint { get; } = endpoint;

    public CallInvoker Invoker { get; } = invoker;

    public TimeSpan Timeout { get; } = timeout;

    /// <exception cref="ServiceCallException">The call failed; the gRPC status says why.</exception>
    public async Task<TResponse> CallAsync<TResponse>(string rpc, Func<CallOptions, AsyncUnaryCall<TResponse>> call, CancellationToken cancellationToken)
    {
        var headers = new Metadata();
        if (!string.IsNullOrEmpty(apiKey))
        {
            headers.Add(ApiKeyHeader, apiKey);
        }

        var options = new CallOptions(headers, time.GetUtcNow().UtcDateTime + Timeout, cancellationToken);
        try
        {
            using var pending = call(options);
            return await pending.ResponseAsync;
        }
        catch (RpcException exception)
        {
            throw new ServiceCallException(Service, Endpoint, rpc, exception);
        }
    }
}
