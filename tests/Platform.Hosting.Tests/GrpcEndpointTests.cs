using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Platform.Hosting.Tests.Protos;

namespace Platform.Hosting.Tests;

public sealed class GrpcEndpointTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private TestApp App => fixture.App;

    [Theory]
    [InlineData("")]
    [InlineData("readiness")]
    [InlineData("liveness")]
    [InlineData("hostingtest")]
    public async Task Grpc_health_reports_serving_without_credentials(string service)
    {
        var health = new Health.HealthClient(App.Channel);

        var response = await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: Deadline());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Grpc_health_reports_unknown_services_as_not_found()
    {
        var health = new Health.HealthClient(App.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            health.CheckAsync(new HealthCheckRequest { Service = "no-such-service" }, deadline: Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Call_without_credentials_is_unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            App.Echo.PingAsync(new PingRequest { Message = "hi" }, deadline: Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("x-api-key", error.Status.Detail);
    }

    [Fact]
    public async Task Call_with_an_unknown_key_is_unauthenticated()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            App.Echo.PingAsync(new PingRequest(), TestApp.ApiKey("not-a-configured-key-000"), Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Call_with_a_key_lacking_the_scope_is_permission_denied()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            App.Echo.PingAsync(new PingRequest(), TestApp.ApiKey(TestApp.OutsiderKey), Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("hostingtest.read", error.Status.Detail);
    }

    [Fact]
    public async Task Call_with_the_right_scope_succeeds_and_sees_the_key_name()
    {
        var reply = await App.Echo.PingAsync(new PingRequest { Message = "hi" }, TestApp.ApiKey(TestApp.ReaderKey), Deadline());

        Assert.Equal("hi", reply.Message);
        Assert.Equal("reader", reply.Caller);
    }

    [Fact]
    public async Task Authorization_header_with_the_ApiKey_scheme_is_accepted()
    {
        var headers = new Metadata { { "authorization", "ApiKey " + TestApp.ReaderKey } };

        var reply = await App.Echo.PingAsync(new PingRequest { Message = "via header" }, headers, Deadline());

        Assert.Equal("reader", reply.Caller);
    }

    [Theory]
    [InlineData(TestApp.WriterKey, "writer")]
    [InlineData(TestApp.AdminKey, "admin")]
    public async Task Write_and_admin_scopes_include_read(string key, string expectedCaller)
    {
        var reply = await App.Echo.PingAsync(new PingRequest(), TestApp.ApiKey(key), Deadline());

        Assert.Equal(expectedCaller, reply.Caller);
    }

    [Fact]
    public async Task Method_level_scope_is_enforced_on_top_of_the_service_scope()
    {
        var denied = await Assert.ThrowsAsync<RpcException>(() =>
            App.Echo.PurgeAsync(new PurgeRequest(), TestApp.ApiKey(TestApp.ReaderKey), Deadline()).ResponseAsync);
        var allowed = await App.Echo.PurgeAsync(new PurgeRequest(), TestApp.ApiKey(TestApp.AdminKey), Deadline());

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("hostingtest.admin", denied.Status.Detail);
        Assert.Equal(7, allowed.Purged);
    }

    [Fact]
    public async Task Reflection_requires_authentication()
    {
        var reflection = new ServerReflection.ServerReflectionClient(App.Channel);
        using var call = reflection.ServerReflectionInfo(deadline: Deadline());

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Reflection_lists_services_for_an_authenticated_caller()
    {
        var reflection = new ServerReflection.ServerReflectionClient(App.Channel);
        using var call = reflection.ServerReflectionInfo(TestApp.ApiKey(TestApp.OutsiderKey), Deadline());

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(service => service.Name).ToList();

        Assert.Contains("platform.hostingtest.v1.Echo", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    private static DateTime Deadline() => DateTime.UtcNow.AddSeconds(10);
}

public sealed class NoKeysConfiguredTests
{
    [Fact]
    public async Task Without_configured_keys_every_protected_call_is_rejected_but_health_answers()
    {
        var settings = TestApp.DefaultSettings();
        foreach (var key in settings.Keys.Where(key => key.StartsWith("Platform:Auth:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        await using var app = await TestApp.StartAsync(settings);
        var health = new Grpc.Health.V1.Health.HealthClient(app.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            app.Echo.PingAsync(new PingRequest(), TestApp.ApiKey(TestApp.ReaderKey), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        var status = await health.CheckAsync(new HealthCheckRequest());

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status.Status);
    }
}
