using System.Net;
using Grpc.Core;
using Grpc.Health.V1;

namespace Platform.Services.FunctionalTests;

/// <summary>What every service serves from the platform defaults, checked on each of them.</summary>
public sealed class ServiceSurfaceTests
{
    public static readonly TheoryData<string> Everything = new() { "catalog", "inventory", "order", "customer", "tracking", "sandbox" };

    [Theory]
    [MemberData(nameof(Everything))]
    public async Task Health_and_metrics_answer_without_credentials(string service)
    {
        await using var host = await ServiceHost.StartAsync(service);

        var health = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("readyz")).StatusCode);
        var metrics = await host.Http.GetStringAsync("metrics");
        Assert.Contains($"service_name=\"{service}\"", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AdminClients.Domains), MemberType = typeof(AdminClients))]
    public async Task Status_needs_a_key_and_reports_the_service(string domain)
    {
        await using var host = await ServiceHost.StartAsync(domain);

        var anonymous = await Assert.ThrowsAsync<RpcException>(() => AdminClients.GetStatusAsync(domain, host.Channel, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10))));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        var wrongKey = await Assert.ThrowsAsync<RpcException>(() => AdminClients.GetStatusAsync(domain, host.Channel, ServiceHost.WithKey("not-a-key-of-this-service-at-all")));
        Assert.Equal(StatusCode.Unauthenticated, wrongKey.StatusCode);

        var status = await AdminClients.GetStatusAsync(domain, host.Channel, ServiceHost.WithKey(ServiceHost.ReaderKey));
        Assert.Equal(domain, status.Service);
        Assert.Equal("in-memory", status.BusProvider);
        Assert.Equal("inmemory", status.StateProvider);
        Assert.Equal(0, status.DeadLettersPending);
    }

    [Theory]
    [MemberData(nameof(AdminClients.Domains), MemberType = typeof(AdminClients))]
    public async Task Dead_letters_need_the_admin_scope(string domain)
    {
        await using var host = await ServiceHost.StartAsync(domain);

        var reader = await Assert.ThrowsAsync<RpcException>(() => AdminClients.ListDeadLettersAsync(domain, host.Channel, ServiceHost.WithKey(ServiceHost.ReaderKey)));
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);
        Assert.Empty(await AdminClients.ListDeadLettersAsync(domain, host.Channel, ServiceHost.WithKey(ServiceHost.AdminKey)));
    }

    [Theory]
    [MemberData(nameof(AdminClients.Domains), MemberType = typeof(AdminClients))]
    public async Task The_ownership_policy_loaded_at_start_is_served(string domain)
    {
        await using var host = await ServiceHost.StartAsync(domain);

        var policy = await AdminClients.GetOwnershipPolicyAsync(domain, host.Channel, ServiceHost.WithKey(ServiceHost.ReaderKey));
        Assert.Equal(domain, policy.Service);
        Assert.Contains(policy.Fields, f => f.Object == "product" && f.Field == "price" && f.Owner == "erp");
        Assert.Contains(policy.Fields, f => f.Object == "stock" && f.Field == "on_hand" && f.Owner == "erp");
        Assert.Equal(policy.Fields.Count, policy.Fields.Select(f => (f.Object, f.Field)).Distinct().Count());
    }

    [Fact]
    public async Task A_bad_setting_stops_the_start_with_a_message_naming_it()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ServiceHost.StartAsync("order", new Dictionary<string, string?> { ["Platform:Bus:Provider"] = "Carrier-Pigeon" }));
        Assert.Contains("Platform:Bus:Provider", error.Message, StringComparison.Ordinal);
    }
}
