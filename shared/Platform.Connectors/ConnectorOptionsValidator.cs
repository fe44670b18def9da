using Microsoft.Extensions.Options;

namespace Platform.Connectors;

// Each failure names the full configuration key so an operator can fix it without reading code.
// Values are never echoed: several keys hold secrets.
internal sealed class ConnectorOptionsValidator(string system, string sectionPath) : IValidateOptions<ConnectorOptions>
{
    // Polly refuses timeouts, sampling and break durations outside these bounds; checking them here
    // gives the operator a message naming the key instead of a Polly stack trace at the first request.
    private static readonly TimeSpan MinimumTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MinimumCircuitDuration = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, ConnectorOptions options)
    {
        if (name != system)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        void Fail(string key, string problem) => failures.Add($"{sectionPath}:{key} {problem}");

        if (string.IsNullOrWhiteSpace(options.BaseAddress))
        {
            Fail("BaseAddress", "is required (the absolute http(s) address of the remote API)");
        }
        else if (!Uri.TryCreate(options.BaseAddress, UriKind.Absolute, out var uri)
                 || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Fail("BaseAddress", "must be an absolute http or https address");
        }

        CheckDuration(options.TotalTimeout, "TotalTimeout", MinimumTimeout);
        CheckDuration(options.AttemptTimeout, "AttemptTimeout", MinimumTimeout);
        if (options.AttemptTimeout > options.TotalTimeout)
        {
            Fail("AttemptTimeout", $"must not exceed {sectionPath}:TotalTimeout");
        }

        var retry = options.Retry;
        if (retry.MaxRetryAttempts is < 0 or > 100)
        {
            Fail("Retry:MaxRetryAttempts", "must be between 0 and 100");
        }

        if (retry.BaseDelay < TimeSpan.Zero || retry.BaseDelay > OneDay)
        {
            Fail("Retry:BaseDelay", "must be between 0 and 1 day");
        }

        if (retry.MaxDelay < retry.BaseDelay)
        {
            Fail("Retry:MaxDelay", $"must not be less than {sectionPath}:Retry:BaseDelay");
        }

        CheckDuration(retry.MaxRetryAfter, "Retry:MaxRetryAfter", TimeSpan.Zero);
        if (retry.MaxRetryAfter >= options.TotalTimeout)
        {
            // Waiting that long would always end in the total timeout instead of a retry.
            Fail("Retry:MaxRetryAfter", $"must be less than {sectionPath}:TotalTimeout");
        }

        var breaker = options.CircuitBreaker;
        if (!(breaker.FailureRatio > 0 && breaker.FailureRatio <= 1))
        {
            Fail("CircuitBreaker:FailureRatio", "must be greater than 0 and at most 1");
        }

        if (breaker.MinimumThroughput < 2)
        {
            Fail("CircuitBreaker:MinimumThroughput", "must be at least 2");
        }

        CheckDuration(breaker.SamplingDuration, "CircuitBreaker:SamplingDuration", MinimumCircuitDuration);
        CheckDuration(breaker.BreakDuration, "CircuitBreaker:BreakDuration", MinimumCircuitDuration);

        var rate = options.RateLimit;
        if (!(rate.PermitsPerSecond > 0) || double.IsInfinity(rate.PermitsPerSecond))
        {
            Fail("RateLimit:PermitsPerSecond", "must be a positive number (the remote API's documented limit)");
        }

        if (rate.Burst < 1)
        {
            Fail("RateLimit:Burst", "must be at least 1");
        }

        if (rate.QueueLimit < 0)
        {
            Fail("RateLimit:QueueLimit", "must not be negative");
        }

        ValidateAuthentication(options.Authentication, Fail);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void CheckDuration(TimeSpan value, string key, TimeSpan minimum)
        {
            if (value <= minimum || value > OneDay)
            {
                Fail(key, $"must be greater than {minimum} and at most 1 day");
            }
        }
    }

    private static void ValidateAuthentication(AuthenticationSettings auth, Action<string, string> fail)
    {
        void Require(string? value, string key)
        {
            if (string.IsNullOrEmpty(value))
            {
                fail($"Authentication:{key}", $"is required when Authentication:Scheme is {auth.Scheme}");
            }
        }

        switch (auth.Scheme)
        {
            case ConnectorAuthenticationScheme.None:
                break;
            case ConnectorAuthenticationScheme.Bearer:
                Require(auth.Token, "Token");
                break;
            case ConnectorAuthenticationScheme.ApiKey:
                Require(auth.HeaderName, "HeaderName");
                Require(auth.Key, "Key");
                break;
            case ConnectorAuthenticationScheme.Basic:
                Require(auth.Username, "Username");
                Require(auth.Password, "Password");
                break;
            case ConnectorAuthenticationScheme.Hmac:
                Require(auth.Secret, "Secret");
                Require(auth.SignatureHeader, "SignatureHeader");
                Require(auth.TimestampHeader, "TimestampHeader");
                break;
            default:
                fail("Authentication:Scheme", "must be one of None, Bearer, ApiKey, Basic, Hmac");
                break;
        }
    }
}
