namespace Platform.Connectors;

// Bound from Platform:Connectors:<system>. Defaults are deliberately conservative; each deployment sets
// RateLimit to the remote API's documented limit. Never give this type a ToString that prints
// Authentication: it holds secrets.
public sealed class ConnectorOptions
{
    public const string SectionName = "Platform:Connectors";

    public string? BaseAddress { get; set; }

    // Bounds the caller's whole wait: rate-limiter queue, every attempt and every retry delay.
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public RetrySettings Retry { get; set; } = new();

    public CircuitBreakerSettings CircuitBreaker { get; set; } = new();

    public RateLimitSettings RateLimit { get; set; } = new();

    public AuthenticationSettings Authentication { get; set; } = new();

    internal Uri GetBaseUri()
    {
        var address = BaseAddress ?? throw new InvalidOperationException("BaseAddress is not set");
        // HttpClient drops the last path segment of a base address without a trailing slash
        // ("https://shop/rest/V1" + "orders" => "https://shop/rest/orders"), a silent wrong-URL trap.
        return new Uri(address.EndsWith('/') ? address : address + "/", UriKind.Absolute);
    }
}

public sealed class RetrySettings
{
    // 0 turns retries off for this system.
    public int MaxRetryAttempts { get; set; } = 3;

    // First backoff delay; later ones grow exponentially with jitter.
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    // Longest Retry-After (on 429 and 503) we obey; a larger value is cut down to this so a hostile
    // or broken remote cannot park our callers for hours.
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(20);
}

public sealed class CircuitBreakerSettings
{
    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 10;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

// Token bucket in this process; with N replicas the remote sees up to N times this rate, so size it
// as the documented limit divided by the replica count.
public sealed class RateLimitSettings
{
    public double PermitsPerSecond { get; set; } = 10;

    public int Burst { get; set; } = 10;

    // Requests beyond the burst wait here for a permit; beyond the queue they fail as rate_limited.
    public int QueueLimit { get; set; } = 100;
}

public enum ConnectorAuthenticationScheme
{
    None,
    Bearer,
    ApiKey,
    Basic,
    Hmac,
}

public sealed class AuthenticationSettings
{
    public ConnectorAuthenticationScheme Scheme { get; set; } = ConnectorAuthenticationScheme.None;

    // Bearer
    public string? Token { get; set; }

    // ApiKey: e.g. HeaderName "X-Shopify-Access-Token"
    public string? HeaderName { get; set; }

    public string? Key { get; set; }

    // Basic
    public string? Username { get; set; }

    public string? Password { get; set; }

    // Hmac: see HmacSigner for what is signed.
    public string? Secret { get; set; }

    public string SignatureHeader { get; set; } = "X-Signature";

    public string TimestampHeader { get; set; } = "X-Timestamp";
}
