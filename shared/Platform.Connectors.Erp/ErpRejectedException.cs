using System.Net;

namespace Platform.Connectors.Erp;

// Permanent: the ERP refused the document (400, 404, 409, 422) or the mapping cannot express a value (then
// StatusCode is null and nothing was sent). Sending the same request again gives the same answer, so the
// caller dead-letters it; transient failures arrive as ConnectorException { IsTransient: true } instead.
public sealed class ErpRejectedException(
    string operation, HttpStatusCode? statusCode, string error, string? sku, string? idempotencyKey)
    : Exception(Describe(operation, statusCode, error, sku, idempotencyKey))
{
    public string Operation { get; } = operation;

    public HttpStatusCode? StatusCode { get; } = statusCode;

    // The ERP's own explanation, e.g. "unknown SKU".
    public string Error { get; } = error;

    // The offending SKU, when the ERP (or the mapping) names one.
    public string? Sku { get; } = sku;

    public string? IdempotencyKey { get; } = idempotencyKey;

    private static string Describe(string operation, HttpStatusCode? statusCode, string error, string? sku, string? key)
    {
        var who = statusCode is { } status ? $"ERP answered {(int)status}" : "refused before sending";
        var line = sku is null ? "" : $" (sku {sku})";
        var request = key is null ? "" : $" [idempotency key {key}]";
        return $"erp {operation}: {who}: {error}{line}{request}";
    }
}
