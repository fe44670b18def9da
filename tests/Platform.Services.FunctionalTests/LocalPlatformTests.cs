using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Platform.Local;
using Platform.Testing;

namespace Platform.Services.FunctionalTests;

/// <summary>What a newcomer sees from <c>dotnet run --project services/local</c>, on each kind of infrastructure.</summary>
public sealed class LocalPlatformTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public Task Every_service_and_the_sandbox_answer_metrics_and_grpc_health_on_the_in_memory_defaults() =>
        AssertAllServeAsync(new LocalOptions { BasePort = FreePortRange() });

    [Fact]
    public Task Every_service_and_the_sandbox_answer_on_the_kafka_mock_cluster_and_redis() =>
        AssertAllServeAsync(new LocalOptions { BasePort = FreePortRange(), Bus = LocalBus.KafkaMock, Redis = redis.ConnectionString });

    private static async Task AssertAllServeAsync(LocalOptions options)
    {
        var clock = Stopwatch.StartNew();
        await using var platform = await LocalPlatform.StartAsync(options, CancellationToken.None);
        Assert.Equal(6, platform.Endpoints.Count);
        using var http = new HttpClient();
        foreach (var (service, endpoints) in platform.Endpoints)
        {
            Assert.Equal(IPAddress.Loopback.ToString(), endpoints.Grpc.Host);
            using var channel = GrpcChannel.ForAddress(endpoints.Grpc);
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
            var metrics = await http.GetStringAsync(new Uri(endpoints.Http, "metrics"));
            Assert.Contains($"service_name=\"{service.Name}\"", metrics, StringComparison.Ordinal);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"the platform took {clock.Elapsed} to serve");
    }

    // The local host lays six services out as base+10i and base+10i+1; find a base where all twelve are free.
    private static int FreePortRange()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var basePort = Random.Shared.Next(20_000, 60_000) / 10 * 10;
            if (Enumerable.Range(0, 6).SelectMany(i => new[] { basePort + i * 10, basePort + i * 10 + 1 }).All(IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException("no free range of loopback ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
