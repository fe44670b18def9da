using System.Text.Json.Serialization;

namespace Platform.Sandbox.Faults;

/// <summary>
/// What goes wrong with the requests to one simulated system. Each request waits
/// <see cref="LatencyMs"/> plus a uniform draw from 0 to <see cref="LatencyJitterMs"/>, then one roll of the dice picks at
/// most one fault: a timeout with probability <see cref="TimeoutRate"/>, else a 429 with <see cref="ThrottleRate"/>, else
/// <see cref="ErrorStatus"/> with <see cref="ErrorRate"/>, else a lost response with <see cref="LostResponseRate"/>. The
/// rates therefore add up to at most 1.
/// </summary>
// A misspelt knob would otherwise be ignored in silence and a load run would test nothing.
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FaultProfile
{
    public const int MaxLatencyMs = 120_000;
    public const int MaxTimeoutSeconds = 600;

    public static FaultProfile None { get; } = new();

    public int LatencyMs { get; init; }
    public int LatencyJitterMs { get; init; }
    public double ErrorRate { get; init; }
    public int ErrorStatus { get; init; } = 503;
    public double ThrottleRate { get; init; }
    public int RetryAfterSeconds { get; init; } = 1;
    public double TimeoutRate { get; init; }

    /// <summary>How long a timed-out request hangs before the gateway answers 504; clients with a shorter timeout give up first.</summary>
    public int TimeoutSeconds { get; init; } = 30;

    /// <summary>
    /// Share of requests the system carries out (their effects stay) whose response never reaches the client: the request
    /// then hangs for <see cref="TimeoutSeconds"/> and the gateway answers 504. This is the failure that makes a client
    /// retry something that already happened, which idempotency keys exist for.
    /// </summary>
    public double LostResponseRate { get; init; }

    /// <summary>Overrides <see cref="SandboxOptions.Seed"/> for this system.</summary>
    public int? Seed { get; init; }

    [JsonIgnore]
    public bool IsNone => LatencyMs == 0 && LatencyJitterMs == 0 && ErrorRate == 0 && ThrottleRate == 0 && TimeoutRate == 0 && LostResponseRate == 0;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                errors[field] = [message];
            }
        }

        Check(LatencyMs is >= 0 and <= MaxLatencyMs, "latencyMs", $"must be between 0 and {MaxLatencyMs}");
        Check(LatencyJitterMs is >= 0 and <= MaxLatencyMs, "latencyJitterMs", $"must be between 0 and {MaxLatencyMs}");
        Check(IsRate(ErrorRate), "errorRate", "must be between 0 and 1");
        Check(IsRate(ThrottleRate), "throttleRate", "must be between 0 and 1");
        Check(IsRate(TimeoutRate), "timeoutRate", "must be between 0 and 1");
        Check(IsRate(LostResponseRate), "lostResponseRate", "must be between 0 and 1");
        Check(ErrorStatus is >= 400 and <= 599 && ErrorStatus is not 401 and not 429, "errorStatus",
            "must be a 4xx or 5xx status other than 401 (use wrong credentials) and 429 (use throttleRate)");
        Check(RetryAfterSeconds is >= 0 and <= 3600, "retryAfterSeconds", "must be between 0 and 3600");
        Check(TimeoutSeconds is >= 1 and <= MaxTimeoutSeconds, "timeoutSeconds", $"must be between 1 and {MaxTimeoutSeconds}");
        if (IsRate(ErrorRate) && IsRate(ThrottleRate) && IsRate(TimeoutRate) && IsRate(LostResponseRate))
        {
            Check(ErrorRate + ThrottleRate + TimeoutRate + LostResponseRate <= 1.0 + 1e-9, "errorRate",
                "errorRate + throttleRate + timeoutRate + lostResponseRate must not exceed 1");
        }

        return errors;
    }

    private static bool IsRate(double value) => value is >= 0 and <= 1;
}
