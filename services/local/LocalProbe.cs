using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Platform.Local;

/// <summary>Asks every service what a Kubernetes probe would: the standard gRPC health check.</summary>
public static class LocalProbe
{
    public static async Task<IReadOnlyDictionary<string, string>> ProbeAsync(LocalPlatform platform, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (service, endpoints) in platform.Endpoints)
        {
            using var channel = GrpcChannel.ForAddress(endpoints.Grpc);
            var client = new Health.HealthClient(channel);
            try
            {
                var reply = await client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
                results[service.Name] = reply.Status.ToString().ToUpperInvariant();
            }
            catch (Grpc.Core.RpcException ex)
            {
                results[service.Name] = ex.StatusCode.ToString();
            }
        }

        return results;
    }
}
