using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Connectors.Tests.Infrastructure;

// One service provider with one connector registered as a real service would do it.
internal sealed class ConnectorHarness : IAsyncDisposable
{
    private ConnectorHarness(ServiceProvider services)
    {
        Services = services;
        Metrics = new MetricRecorder(services.GetRequiredService<IMeterFactory>(), "Platform.Connectors");
    }

    public ServiceProvider Services { get; }

    public MetricRecorder Metrics { get; }

    public IProbeClient Client => Services.GetRequiredService<IProbeClient>();

    // Settings that keep the tests fast and keep every mechanism but the one under test out of the way.
    public static Dictionary<string, string?> FastSettings(string system, string baseAddress)
    {
        var prefix = $"Platform:Connectors:{system}:";
        return new Dictionary<string, string?>
        {
            [prefix + "BaseAddress"] = baseAddress,
            [prefix + "TotalTimeout"] = "00:00:20",
            [prefix + "AttemptTimeout"] = "00:00:05",
            [prefix + "Retry:MaxRetryAttempts"] = "3",
            [prefix + "Retry:BaseDelay"] = "00:00:00.010",
            [prefix + "Retry:MaxDelay"] = "00:00:00.100",
            [prefix + "Retry:MaxRetryAfter"] = "00:00:05",
            [prefix + "CircuitBreaker:FailureRatio"] = "1",
            [prefix + "CircuitBreaker:MinimumThroughput"] = "1000",
            [prefix + "CircuitBreaker:SamplingDuration"] = "00:00:30",
            [prefix + "CircuitBreaker:BreakDuration"] = "00:00:30",
            [prefix + "RateLimit:PermitsPerSecond"] = "1000",
            [prefix + "RateLimit:Burst"] = "1000",
            [prefix + "RateLimit:QueueLimit"] = "1000",
        };
    }

    public static ConnectorHarness Create(string system, IDictionary<string, string?> settings, ILoggerProvider? logs = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            if (logs is not null)
            {
                logging.AddProvider(logs);
            }
        });
        services.AddConnector<IProbeClient, ProbeClient>(system, configuration);
        return new ConnectorHarness(services.BuildServiceProvider());
    }

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await Services.DisposeAsync();
    }
}

internal interface IProbeClient
{
    Task<HttpResponseMessage> GetAsync(string operation, string path, CancellationToken cancellationToken = default);

    Task<HttpResponseMessage> PostAsync(string operation, string path, object body, bool retryable = true);

    Task<T> GetJsonAsync<T>(string operation, string path);
}

internal sealed class ProbeClient(HttpClient http) : ConnectorClient(http), IProbeClient
{
    public Task<HttpResponseMessage> GetAsync(string operation, string path, CancellationToken cancellationToken = default) =>
        SendAsync(operation, new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);

    public async Task<HttpResponseMessage> PostAsync(string operation, string path, object body, bool retryable = true)
    {
        if (retryable)
        {
            return await SendJsonAsync(operation, HttpMethod.Post, path, body);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json"),
        };
        request.DisableRetries();
        return await SendAsync(operation, request);
    }

    public Task<T> GetJsonAsync<T>(string operation, string path) => GetJsonAsync<T>(operation, path, CancellationToken.None);
}
