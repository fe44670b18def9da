using System.Net;

namespace Platform.Connectors;

// How a call (or one attempt of it) ended when no HTTP response came back; the metric tag value is
// the snake_case name, e.g. "circuit_open". Only the first four are ever thrown as a ConnectorException:
// a caller's cancellation and unexpected exceptions are rethrown unchanged and only counted.
public enum ConnectorFailure
{
    Timeout,
    CircuitOpen,
    RateLimited,
    TransportError,
    Cancelled,

    // An exception none of the above explains, usually a bug on our side; rethrown unchanged.
    Unexpected,
}

// Thrown when a call ends without a response (timeout, open circuit, full rate-limiter queue,
// transport error), or by ConnectorClient's helpers for a non-success status. Derives from
// HttpRequestException so code that already handles HttpClient failures keeps working.
public sealed class ConnectorException : HttpRequestException
{
    public ConnectorException(string system, string operation, ConnectorFailure failure, Exception? inner)
        : base($"{system} {operation}: {Describe(failure)}", inner)
    {
        System = system;
        Operation = operation;
        Failure = failure;
    }

    public ConnectorException(string system, string operation, HttpStatusCode statusCode, string? reasonPhrase)
        : base($"{system} {operation}: remote answered {(int)statusCode} {reasonPhrase}".TrimEnd(), null, statusCode)
    {
        System = system;
        Operation = operation;
    }

    public string System { get; }

    public string Operation { get; }

    // Null when the remote answered and StatusCode says how.
    public ConnectorFailure? Failure { get; }

    // Worth trying again later (delayed retry topic) rather than dead-lettering: the remote or the
    // path to it is unwell, or the remote asked us to slow down.
    public bool IsTransient => Failure is ConnectorFailure.Timeout or ConnectorFailure.CircuitOpen
                                   or ConnectorFailure.RateLimited or ConnectorFailure.TransportError
                               || StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
                               || (int?)StatusCode >= 500;

    private static string Describe(ConnectorFailure failure) => failure switch
    {
        ConnectorFailure.Timeout => "timed out",
        ConnectorFailure.CircuitOpen => "circuit open, failing fast until the remote recovers",
        ConnectorFailure.RateLimited => "client-side rate limit queue is full",
        ConnectorFailure.TransportError => "transport error reaching the remote",
        ConnectorFailure.Cancelled => "cancelled by the caller",
        ConnectorFailure.Unexpected => "failed unexpectedly",
        _ => failure.ToString(),
    };
}
