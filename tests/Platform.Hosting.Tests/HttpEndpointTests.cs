using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Hosting.Tests;

public sealed class HttpEndpointTests(SharedAppFixture fixture) : IClassFixture<SharedAppFixture>
{
    private TestApp App => fixture.App;

    [Fact]
    public void Both_listeners_bind_to_distinct_ports_chosen_by_the_os()
    {
        Assert.NotEqual(0, App.Endpoints.GrpcPort);
        Assert.NotEqual(0, App.Endpoints.HttpPort);
        Assert.NotEqual(App.Endpoints.GrpcPort, App.Endpoints.HttpPort);
        Assert.Equal("127.0.0.1", App.Endpoints.Grpc.Host);
        Assert.Equal("127.0.0.1", App.Endpoints.Http.Host);
    }

    [Fact]
    public async Task Grpc_port_speaks_http2_only()
    {
        using var http1 = new HttpClient { BaseAddress = App.Endpoints.Grpc };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        using var response = await http1.SendAsync(request);

        // Kestrel answers HTTP/1.x on an HTTP/2-only endpoint with 400 and never routes it.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("HTTP/2", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Health_endpoints_are_anonymous_and_healthy(string path)
    {
        using var response = await App.Http.GetAsync(path);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_includes_the_host_lifecycle_check()
    {
        using var body = JsonDocument.Parse(await App.Http.GetStringAsync("/readyz"));

        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("host").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Metrics_are_anonymous_and_carry_the_service_name()
    {
        using var response = await App.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("target_info", text);
        Assert.Contains("service_name=\"hostingtest\"", text);
    }

    [Fact]
    public async Task Minimal_api_endpoints_require_authentication_by_default()
    {
        using var anonymous = await App.Http.GetAsync("/api/whoami");
        using var authenticated = await Send("/api/whoami", TestApp.ReaderKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
        Assert.Equal("reader", await authenticated.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unmatched_paths_do_not_reveal_themselves_to_anonymous_callers()
    {
        using var anonymous = await App.Http.GetAsync("/no-such-path");
        using var authenticated = await Send("/no-such-path", TestApp.ReaderKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, authenticated.StatusCode);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("not-a-configured-key-000", HttpStatusCode.Unauthorized)]
    [InlineData(TestApp.OutsiderKey, HttpStatusCode.Forbidden)]
    [InlineData(TestApp.ReaderKey, HttpStatusCode.Forbidden)]
    [InlineData(TestApp.WriterKey, HttpStatusCode.OK)]
    [InlineData(TestApp.AdminKey, HttpStatusCode.OK)]
    public async Task Minimal_api_endpoint_with_a_scope(string? key, HttpStatusCode expected)
    {
        using var response = await Send("/api/orders", key);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Authorization_header_with_ApiKey_scheme_works_over_http()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", TestApp.WriterKey);

        using var response = await App.Http.SendAsync(request);

        Assert.Equal("writer", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_failing_readiness_check_fails_readyz_and_grpc_health_but_not_liveness()
    {
        await using var app = await TestApp.StartAsync(configureBuilder: builder =>
            builder.Services.AddReadinessCheck("broker", (_, _) => Task.FromResult(HealthCheckResult.Unhealthy("broker unreachable"))));
        var health = new Health.HealthClient(app.Channel);

        using var ready = await app.Http.GetAsync("/readyz");
        using var live = await app.Http.GetAsync("/healthz");
        var overall = await health.CheckAsync(new HealthCheckRequest { Service = "" });
        var liveness = await health.CheckAsync(new HealthCheckRequest { Service = "liveness" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("broker unreachable", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, overall.Status);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, liveness.Status);
    }

    private Task<HttpResponseMessage> Send(string path, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("x-api-key", key);
        }

        return App.Http.SendAsync(request);
    }
}
