using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace Platform.Connectors;

// Replaces HttpClientFactory's default request logging for connectors. The default one redacts header
// values in the formatted message but, at Trace level, still hands the raw values (credentials
// included) to structured log providers as state; this one never touches headers. It logs the path
// without the query string, because search filters in queries often carry customer data.
internal sealed partial class ConnectorHttpLogger(ILogger logger, string system) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        AttemptAnswered(logger, system, request.GetOperation(), request.Method.Method, PathOf(request), (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        AttemptFailed(logger, system, request.GetOperation(), request.Method.Method, PathOf(request), exception.GetType().Name, elapsed.TotalMilliseconds);

    private static string PathOf(HttpRequestMessage request) => request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : "";

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connector {System} {Operation}: {Method} {Path} answered {StatusCode} in {ElapsedMilliseconds:F1} ms")]
    private static partial void AttemptAnswered(ILogger logger, string system, string operation, string method, string path, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connector {System} {Operation}: {Method} {Path} failed with {ExceptionType} after {ElapsedMilliseconds:F1} ms")]
    private static partial void AttemptFailed(ILogger logger, string system, string operation, string method, string path, string exceptionType, double elapsedMilliseconds);
}
