namespace Platform.Connectors;

public static class ConnectorRequest
{
    // Requests that never named an operation are counted under this value; the URL path is never used
    // as a tag because ids in paths would explode the metric cardinality.
    public const string UnnamedOperation = "unnamed";

    private static readonly HttpRequestOptionsKey<string> OperationKey = new("Platform.Connectors.Operation");
    private static readonly HttpRequestOptionsKey<bool> RetryDisabledKey = new("Platform.Connectors.RetryDisabled");
    private static readonly HttpRequestOptionsKey<string> SystemKey = new("Platform.Connectors.System");
    private static readonly HttpRequestOptionsKey<CancellationToken> CallerTokenKey = new("Platform.Connectors.CallerToken");

    // A short, stable, low-cardinality name such as "orders.list" or "source-items.save".
    public static HttpRequestMessage SetOperation(this HttpRequestMessage request, string operation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        request.Options.Set(OperationKey, operation);
        return request;
    }

    public static string GetOperation(this HttpRequestMessage request) =>
        request.Options.TryGetValue(OperationKey, out var operation) ? operation : UnnamedOperation;

    // For a call that must not be repeated after an ambiguous failure, e.g. a POST without an
    // idempotency key: a timed-out attempt may still have taken effect on the remote side.
    public static HttpRequestMessage DisableRetries(this HttpRequestMessage request)
    {
        request.Options.Set(RetryDisabledKey, true);
        return request;
    }

    public static bool AreRetriesDisabled(this HttpRequestMessage request) =>
        request.Options.TryGetValue(RetryDisabledKey, out var disabled) && disabled;

    public static string? GetConnectorSystem(this HttpRequestMessage request) =>
        request.Options.TryGetValue(SystemKey, out var system) ? system : null;

    internal static void SetConnectorSystem(this HttpRequestMessage request, string system) =>
        request.Options.Set(SystemKey, system);

    // The attempt handler only sees a token linked to the timeouts; the caller's own token tells it
    // whether a cancellation was the caller giving up or a timeout firing.
    internal static void SetCallerToken(this HttpRequestMessage request, CancellationToken token) =>
        request.Options.Set(CallerTokenKey, token);

    internal static bool IsCancelledByCaller(this HttpRequestMessage request) =>
        request.Options.TryGetValue(CallerTokenKey, out var token) && token.IsCancellationRequested;
}
