using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Platform.Connectors;

// Order, outermost first, and why:
//   total timeout  bounds everything the caller waits for, queueing included;
//   retry          wraps the breaker so an opening circuit stops the retry loop at once;
//   circuit breaker sits outside the rate limiter so an open circuit fails fast instead of first
//                  queueing for a permit;
//   rate limiter   inside retry, so every attempt, retries included, spends a permit: the remote
//                  counts retries against its limit too;
//   attempt timeout innermost, so time spent queued for a permit is not charged to the attempt.
internal static class ConnectorPipeline
{
    public static void Configure(
        string system,
        ResiliencePipelineBuilder<HttpResponseMessage> pipeline,
        ResilienceHandlerContext context)
    {
        var options = context.GetOptions<ConnectorOptions>(system);
        var services = context.ServiceProvider;
        var metrics = services.GetRequiredService<ConnectorMetrics>();
        var timeProvider = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Platform.Connectors");

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "total-timeout", Timeout = options.TotalTimeout });

        if (options.Retry.MaxRetryAttempts > 0)
        {
            pipeline.AddRetry(CreateRetry(system, options.Retry, metrics, timeProvider));
        }

        var circuitState = new CircuitBreakerStateProvider();
        metrics.TrackCircuit(system, circuitState);
        pipeline.AddCircuitBreaker(CreateCircuitBreaker(system, options.CircuitBreaker, circuitState, logger));

        var limiter = CreateRateLimiter(options.RateLimit);
        context.OnPipelineDisposed(limiter.Dispose);
        pipeline.AddRateLimiter(limiter);

        pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Name = "attempt-timeout", Timeout = options.AttemptTimeout });
    }

    private static HttpRetryStrategyOptions CreateRetry(
        string system, RetrySettings settings, ConnectorMetrics metrics, TimeProvider timeProvider)
    {
        var retry = new HttpRetryStrategyOptions
        {
            Name = "retry",
            MaxRetryAttempts = settings.MaxRetryAttempts,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.BaseDelay,
            MaxDelay = settings.MaxDelay,
            ShouldRetryAfterHeader = false,
        };

        var isTransient = retry.ShouldHandle;
        retry.ShouldHandle = args =>
            args.Context.GetRequestMessage() is { } request && request.AreRetriesDisabled()
                ? ValueTask.FromResult(false)
                : isTransient(args);
        retry.DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, settings.MaxRetryAfter, timeProvider));
        retry.OnRetry = args =>
        {
            var request = args.Context.GetRequestMessage();
            var cause = args.Outcome.Result is { } response
                ? AttemptResult.FromStatus((int)response.StatusCode)
                : AttemptResult.FromFailure(request is null ? ConnectorFailure.Unexpected : FailureClassifier.Classify(args.Outcome.Exception!, request));
            metrics.RecordRetry(system, request?.GetOperation() ?? ConnectorRequest.UnnamedOperation, cause);
            return ValueTask.CompletedTask;
        };
        return retry;
    }

    // Null means "no usable Retry-After": the exponential backoff decides.
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan cap, TimeProvider timeProvider)
    {
        if (response is null
            || response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        TimeSpan? requested = retryAfter.Delta ?? (retryAfter.Date - timeProvider.GetUtcNow());
        if (requested is not { } delay)
        {
            return null;
        }

        if (delay < TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        return delay > cap ? cap : delay;
    }

    private static HttpCircuitBreakerStrategyOptions CreateCircuitBreaker(
        string system, CircuitBreakerSettings settings, CircuitBreakerStateProvider stateProvider, ILogger logger) => new()
    {
        Name = "circuit-breaker",
        FailureRatio = settings.FailureRatio,
        MinimumThroughput = settings.MinimumThroughput,
        SamplingDuration = settings.SamplingDuration,
        BreakDuration = settings.BreakDuration,
        StateProvider = stateProvider,
        OnOpened = args =>
        {
            logger.LogWarning("Connector {System} circuit opened for {BreakDuration}; calls fail fast until then", system, args.BreakDuration);
            return ValueTask.CompletedTask;
        },
        OnHalfOpened = _ =>
        {
            logger.LogInformation("Connector {System} circuit half-open; probing the remote", system);
            return ValueTask.CompletedTask;
        },
        OnClosed = _ =>
        {
            logger.LogInformation("Connector {System} circuit closed", system);
            return ValueTask.CompletedTask;
        },
    };

    internal static TokenBucketRateLimiter CreateRateLimiter(RateLimitSettings settings) => new(TokenBucketFor(settings));

    internal static TokenBucketRateLimiterOptions TokenBucketFor(RateLimitSettings settings)
    {
        // Replenishing one token every 1/rate seconds is exact, but below ~50 ms the replenishment timer
        // is too coarse to keep up; faster limits add several tokens per tick, with the period chosen so
        // the average rate stays exact.
        const double MaxTicksPerSecond = 20;
        var tokensPerPeriod = settings.PermitsPerSecond <= MaxTicksPerSecond
            ? 1
            : (int)Math.Ceiling(settings.PermitsPerSecond / MaxTicksPerSecond);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokensPerPeriod / settings.PermitsPerSecond),
            QueueLimit = settings.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
    }
}
