namespace Platform.Messaging.Dapr;

/// <summary><c>Platform:Bus:Dapr</c>: the pub/sub component, how deliveries reach the app, how the sidecar is reached.</summary>
public sealed class DaprTransportOptions
{
    /// <summary>The <c>metadata.name</c> of the Dapr pub/sub component (k8s/dapr/pubsub.yaml names it "pubsub").</summary>
    public string PubSubName { get; set; } = "pubsub";

    /// <summary>Path under which the sidecar delivers each subscribed topic: <c>{RoutePrefix}/{topic}</c>.</summary>
    public string RoutePrefix { get; set; } = "/platform/dapr/deliveries";

    /// <summary>
    /// True when the Kafka component runs with <c>escapeHeaders: "true"</c>, which URL-encodes record header values
    /// on their way into HTTP headers. Needed for failure reasons with line breaks or non-ASCII text; must match
    /// the component, or values are decoded twice or not at all.
    /// </summary>
    public bool HeadersEscaped { get; set; } = true;

    /// <summary>
    /// The app API token the sidecar sends in <c>dapr-api-token</c>; APP_API_TOKEN when not set here. When there is
    /// one, deliveries and the subscription list are refused without it.
    /// </summary>
    public string? AppApiToken { get; set; }

    /// <summary>How long a stopping consumer lets in-flight handlers finish before cancelling them (they are then redelivered).</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Keys published at once by a batch; records of one key are always published one after another.</summary>
    public int MaxConcurrentPublishes { get; set; } = 16;

    /// <summary>gRPC address of the sidecar; empty uses DAPR_GRPC_ENDPOINT / DAPR_GRPC_PORT as the sidecar injector sets them.</summary>
    public string? GrpcEndpoint { get; set; }

    /// <summary>HTTP address of the sidecar (health checks only); empty uses DAPR_HTTP_ENDPOINT / DAPR_HTTP_PORT.</summary>
    public string? HttpEndpoint { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(PubSubName))
        {
            problems.Add("Platform:Bus:Dapr:PubSubName must name the Dapr pub/sub component.");
        }

        if (string.IsNullOrWhiteSpace(RoutePrefix) || !RoutePrefix.StartsWith('/') || RoutePrefix.EndsWith('/'))
        {
            problems.Add($"Platform:Bus:Dapr:RoutePrefix must start with '/' and not end with one (was '{RoutePrefix}').");
        }

        if (StopTimeout <= TimeSpan.Zero)
        {
            problems.Add("Platform:Bus:Dapr:StopTimeout must be positive.");
        }

        if (MaxConcurrentPublishes < 1)
        {
            problems.Add("Platform:Bus:Dapr:MaxConcurrentPublishes must be at least 1.");
        }

        return problems;
    }
}
