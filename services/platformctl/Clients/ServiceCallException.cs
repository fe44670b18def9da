using Grpc.Core;

namespace Platform.Ctl.Clients;

/// <summary>A failed call, with what an operator needs to tell which service and which address failed.</summary>
public sealed class ServiceCallException(string service, Uri endpoint, string rpc, RpcException rpcException)
    : Exception($"{service} {rpc} at {endpoint}: {rpcException.StatusCode}", rpcException)
{
    public string Service { get; } = service;

    public Uri Endpoint { get; } = endpoint;

    public string Rpc { get; } = rpc;

    public StatusCode StatusCode { get; } = rpcException.StatusCode;

    /// <summary>The status detail, with the underlying cause when the client library only says "Error connecting to subchannel".</summary>
    public string Detail { get; } = WithCause(rpcException.Status.Detail, rpcException.Status.DebugException);

    private static string WithCause(string detail, Exception? debug)
    {
        var innermost = debug;
        while (innermost?.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost is null || detail.Contains(innermost.Message, StringComparison.Ordinal)
            ? detail
            : $"{detail} ({innermost.Message})";
    }
}
