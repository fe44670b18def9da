using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace Platform.Connectors;

// Sits outside the resilience handler: sees each call once, as the caller does, after all retries.
internal sealed class ConnectorCallHandler(string system, ConnectorMetrics metrics, TimeProvider timeProvider) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = request.GetOperation();
        request.SetConnectorSystem(system);
        request.SetCallerToken(cancellationToken);
        var started = timeProvider.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            metrics.RecordRequest(system, operation, AttemptResult.FromStatus((int)response.StatusCode), timeProvider.GetElapsedTime(started));
            return response;
        }
        catch (Exception exception)
        {
            var failure = FailureClassifier.Classify(exception, request);
            metrics.RecordRequest(system, operation, AttemptResult.FromFailure(failure), timeProvider.GetElapsedTime(started));
            if (failure is ConnectorFailure.Cancelled or ConnectorFailure.Unexpected)
            {
                throw;
            }

            throw new ConnectorException(system, operation, failure, exception);
        }
    }
}

// Sits inside the resilience handler: runs once per attempt, so authentication is fresh on every
// attempt (an HMAC timestamp must not be replayed by a retry) and each attempt's status is counted.
internal sealed class ConnectorAttemptHandler(
    string system,
    ConnectorAuthenticator authenticator,
    ConnectorMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var operation = request.GetOperation();
        try
        {
            await authenticator.ApplyAsync(request, cancellationToken).ConfigureAwait(false);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            metrics.RecordAttempt(system, operation, AttemptResult.FromStatus((int)response.StatusCode));
            return response;
        }
        catch (Exception exception)
        {
            metrics.RecordAttempt(system, operation, AttemptResult.FromFailure(FailureClassifier.Classify(exception, request)));
            throw;
        }
    }
}

internal static class FailureClassifier
{
    public static ConnectorFailure Classify(Exception exception, HttpRequestMessage request) => exception switch
    {
        // Cancelled by the caller, or by a timeout strategy's token: only the caller's token tells them apart.
        OperationCanceledException => request.IsCancelledByCaller() ? ConnectorFailure.Cancelled : ConnectorFailure.Timeout,
        TimeoutRejectedException => ConnectorFailure.Timeout,
        BrokenCircuitException => ConnectorFailure.CircuitOpen,
        RateLimiterRejectedException => ConnectorFailure.RateLimited,
        HttpRequestException => ConnectorFailure.TransportError,
        _ => ConnectorFailure.Unexpected,
    };
}
