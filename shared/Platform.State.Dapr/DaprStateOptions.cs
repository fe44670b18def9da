namespace Platform.State.Dapr;

/// <summary><c>Platform:State:Dapr</c>: which Dapr state component holds the store and how the sidecar is reached.</summary>
public sealed class DaprStateOptions
{
    /// <summary>The store's logical name (metrics, logs) and the prefix of every key it writes; the service name by default.</summary>
    public string StoreName { get; set; } = string.Empty;

    /// <summary>The <c>metadata.name</c> of the Dapr state component (k8s/dapr/statestore.yaml names it "statestore").</summary>
    public string ComponentName { get; set; } = "statestore";

    /// <summary>
    /// How often a commit is rebuilt and sent again when a key it relied on changed under it while the caller's own
    /// conditions still hold (an index or the outbox list written by a concurrent commit).
    /// </summary>
    public int MaxCommitAttempts { get; set; } = 50;

    /// <summary>gRPC address of the sidecar; empty uses DAPR_GRPC_ENDPOINT / DAPR_GRPC_PORT as the sidecar injector sets them.</summary>
    public string? GrpcEndpoint { get; set; }

    /// <summary>HTTP address of the sidecar (health checks only); empty uses DAPR_HTTP_ENDPOINT / DAPR_HTTP_PORT.</summary>
    public string? HttpEndpoint { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(StoreName))
        {
            problems.Add("Platform:State:Dapr:StoreName must be set (it prefixes every key of the store).");
        }
        else if (StoreName.Contains(':', StringComparison.Ordinal) || StoreName.Contains("||", StringComparison.Ordinal))
        {
            problems.Add($"Platform:State:Dapr:StoreName '{StoreName}' must not contain ':' (the key separator) or '||' (reserved by Dapr).");
        }

        if (string.IsNullOrWhiteSpace(ComponentName))
        {
            problems.Add("Platform:State:Dapr:ComponentName must name the Dapr state component.");
        }

        if (MaxCommitAttempts < 1)
        {
            problems.Add("Platform:State:Dapr:MaxCommitAttempts must be at least 1.");
        }

        return problems;
    }
}
