using Grpc.Core;
using Platform.Ctl.Clients;

namespace Platform.Ctl.Output;

/// <summary>One line and one exit code per gRPC failure, worded for the operator who has to act on it.</summary>
public static class ErrorReport
{
    public static (int ExitCode, string Message) Describe(ServiceCallException failure, TimeSpan timeout)
    {
        var where = $"{failure.Service} ({failure.Endpoint.GetLeftPart(UriPartial.Authority)})";
        var detail = OneLine(failure.Detail);
        return failure.StatusCode switch
        {
            StatusCode.Unauthenticated => (ExitCodes.Unauthenticated,
                $"{where} refused {failure.Rpc}: no API key, or one it does not know; pass --api-key or set PLATFORMCTL_API_KEY."),
            StatusCode.PermissionDenied => (ExitCodes.PermissionDenied,
                $"{where} refused {failure.Rpc}: the API key lacks the scope it needs ({failure.Service}.read for status, {failure.Service}.admin for dead letters and reconciliation)."),
            StatusCode.Unavailable => (ExitCodes.Unavailable,
                $"{where} is unreachable: {detail}"),
            StatusCode.DeadlineExceeded => (ExitCodes.Timeout,
                $"{where} did not answer {failure.Rpc} within {Format.Duration(timeout)}; raise --timeout if it is busy."),
            StatusCode.NotFound => (ExitCodes.NotFound,
                $"{failure.Service}: {detail}"),
            StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => (ExitCodes.Usage,
                $"{where} refused {failure.Rpc}: {detail}"),
            StatusCode.Unimplemented => (ExitCodes.Unimplemented,
                $"{where} does not serve {failure.Rpc}; it may run an older version."),
            StatusCode.Cancelled => (ExitCodes.Interrupted,
                $"{failure.Rpc} to {where} was cancelled."),
            _ => (ExitCodes.Failure,
                $"{where} failed {failure.Rpc}: {failure.StatusCode}: {detail}"),
        };
    }

    /// <summary>The machine-readable form used in --json documents (e.g. one service of `status --all`).</summary>
    public static System.Text.Json.Nodes.JsonObject ToJson(ServiceCallException failure, TimeSpan timeout)
    {
        var (exitCode, message) = Describe(failure, timeout);
        return new System.Text.Json.Nodes.JsonObject
        {
            ["code"] = failure.StatusCode.ToString(),
            ["exitCode"] = exitCode,
            ["message"] = message,
        };
    }

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return line.Length == 0 ? "no detail given" : line;
    }
}
