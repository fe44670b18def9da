using System.Net;

namespace Platform.Connectors.Magento;

// Permanent: Magento refused the request itself (400), e.g. a source item with an unknown source_code or more
// entries than the store's web API input limit. Sending the same request again gives the same answer, so the
// caller dead-letters it (or splits it, for the input limit); transient failures arrive as
// ConnectorException { IsTransient: true } instead. Magento's message is kept because it names the problem
// ("Maximum items of type ... is 20"); stock requests carry SKUs and quantities, never customer data.
public sealed class MagentoRejectedException(
    string operation,
    HttpStatusCode statusCode,
    string magentoMessage,
    string messageTemplate,
    IReadOnlyDictionary<string, string> parameters,
    IReadOnlyList<string> errors)
    : Exception(Describe(operation, statusCode, magentoMessage, errors))
{
    public string Operation { get; } = operation;

    public HttpStatusCode StatusCode { get; } = statusCode;

    // Magento's message with its %placeholders filled in from Parameters.
    public string MagentoMessage { get; } = magentoMessage;

    // The message as Magento sent it, placeholders and all: stable across SKUs, so good for grouping.
    public string MessageTemplate { get; } = messageTemplate;

    // Named parameters by name; positional ones (%1, %2) by their number as text ("1", "2").
    public IReadOnlyDictionary<string, string> Parameters { get; } = parameters;

    // The individual messages of an aggregated error ("Validation Failed" with one entry per problem), filled in.
    public IReadOnlyList<string> Errors { get; } = errors;

    private static string Describe(string operation, HttpStatusCode statusCode, string message, IReadOnlyList<string> errors)
    {
        var details = errors.Count == 0 ? "" : $" ({string.Join("; ", errors)})";
        return $"magento {operation}: Magento answered {(int)statusCode}: {message}{details}";
    }
}
