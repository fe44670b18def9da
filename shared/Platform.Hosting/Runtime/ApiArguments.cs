using Grpc.Core;

namespace Platform.Hosting.Runtime;

/// <summary>gRPC errors that tell the caller exactly which argument is wrong or what is missing.</summary>
public static class ApiArguments
{
    public static string Require(string value, string field, int maxLength = 256)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is required"));
        }

        if (value.Length > maxLength)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is longer than {maxLength} characters"));
        }

        return value;
    }

    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));
}
