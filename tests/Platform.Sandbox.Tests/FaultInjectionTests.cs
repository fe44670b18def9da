using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class FaultInjectionTests
{
    // Rates are checked against binomial bounds of about ±4.5 standard deviations: a correct injector passes them for
    // any seed, a wrong rate (or none) fails them. The fixed seed only makes each run identical.
    private static (int Low, int High) BinomialBounds(int trials, double rate)
    {
        var mean = trials * rate;
        var spread = 4.5 * Math.Sqrt(trials * rate * (1 - rate));
        return ((int)Math.Floor(mean - spread), (int)Math.Ceiling(mean + spread));
    }

    [Fact]
    public async Task Errors_come_with_the_configured_status_at_the_configured_rate()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("erp", new { errorRate = 0.25, errorStatus = 502 });

        var statuses = await SendSequentiallyAsync(sandbox, "erp", 400);

        var (low, high) = BinomialBounds(400, 0.25);
        var errors = statuses.Count(status => status == HttpStatusCode.BadGateway);
        Assert.InRange(errors, low, high);
        Assert.Equal(400 - errors, statuses.Count(status => status == HttpStatusCode.OK));
        Assert.Equal(errors, sandbox.Services.GetCounters().GetSystem("erp", "faults.error"));
    }

    [Fact]
    public async Task Throttling_answers_429_with_retry_after_in_the_system_own_words()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("shopify", new { throttleRate = 0.5, retryAfterSeconds = 7 });

        var throttled = 0;
        for (var i = 0; i < 200; i++)
        {
            using var response = await sandbox.Client.SendAsync(sandbox.AuthorizedRequest("shopify"));
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throttled++;
                Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.StartsWith("Exceeded 2 calls per second", body.GetProperty("errors").GetString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        var (low, high) = BinomialBounds(200, 0.5);
        Assert.InRange(throttled, low, high);
    }

    [Fact]
    public async Task A_timed_out_request_hangs_for_the_configured_time_then_the_gateway_answers_504()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("magento", new { timeoutRate = 1.0, timeoutSeconds = 1 });

        var clock = Stopwatch.StartNew();
        using var response = await sandbox.Client.SendAsync(sandbox.AuthorizedRequest("magento"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Timeouts_hit_the_configured_share_of_requests_and_a_client_that_gives_up_is_counted_as_aborted()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("crm", new { timeoutRate = 0.2, timeoutSeconds = 30 });
        using var impatient = new HttpClient { BaseAddress = sandbox.Address, Timeout = TimeSpan.FromSeconds(3) };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 60).Select(async _ =>
        {
            try
            {
                using var response = await impatient.SendAsync(sandbox.AuthorizedRequest("crm"));
                return response.StatusCode == HttpStatusCode.OK ? "ok" : "unexpected " + response.StatusCode;
            }
            catch (TaskCanceledException)
            {
                return "timed out";
            }
        }));

        var timedOut = outcomes.Count(outcome => outcome == "timed out");
        Assert.Equal(60 - timedOut, outcomes.Count(outcome => outcome == "ok"));
        var (low, high) = BinomialBounds(60, 0.2);
        Assert.InRange(timedOut, Math.Max(low, 1), high);
        var counters = sandbox.Services.GetCounters();
        Assert.Equal(timedOut, counters.GetSystem("crm", "faults.timeout"));
        await Eventually(() => counters.GetSystem("crm", "responses." + SandboxCounters.AbortedOutcome) == timedOut);
    }

    [Fact]
    public async Task Latency_delays_every_request_by_the_base_plus_at_most_the_jitter()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("tpl", new { latencyMs = 150, latencyJitterMs = 100 });

        var elapsed = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await sandbox.Client.SendAsync(sandbox.AuthorizedRequest("tpl"));
            elapsed.Add(clock.Elapsed);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Timer resolution may end a delay a hair early; an overloaded machine may end it late, hence the wide top.
        Assert.All(elapsed, each => Assert.True(each >= TimeSpan.FromMilliseconds(145), $"request took only {each.TotalMilliseconds} ms"));
        Assert.InRange(elapsed.Average(each => each.TotalMilliseconds), 150, 250 + 500);
        Assert.Equal(8, sandbox.Services.GetCounters().GetSystem("tpl", "faults.latency"));
    }

    [Fact]
    public async Task Clearing_the_faults_restores_normal_answers()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("magento", new { errorRate = 1.0, errorStatus = 500, latencyMs = 5 });
        Assert.All(await SendSequentiallyAsync(sandbox, "magento", 10), status => Assert.Equal(HttpStatusCode.InternalServerError, status));

        using (var deleted = await sandbox.Client.DeleteAsync("_sandbox/faults/magento"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var faultsBefore = sandbox.Services.GetCounters().GetSystem("magento", "faults.latency");
        Assert.All(await SendSequentiallyAsync(sandbox, "magento", 20), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(faultsBefore, sandbox.Services.GetCounters().GetSystem("magento", "faults.latency"));
        var profile = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/faults/magento");
        Assert.Equal(0, profile.GetProperty("errorRate").GetDouble());
        Assert.Equal(0, profile.GetProperty("latencyMs").GetInt32());
    }

    [Fact]
    public async Task Clearing_all_faults_clears_every_system()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("erp", new { errorRate = 1.0 });
        await sandbox.PutFaultsAsync("crm", new { throttleRate = 1.0 });

        using (var deleted = await sandbox.Client.DeleteAsync("_sandbox/faults"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.All(await SendSequentiallyAsync(sandbox, "erp", 5), status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.All(await SendSequentiallyAsync(sandbox, "crm", 5), status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Faults_of_one_system_leave_the_others_alone()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("erp", new { errorRate = 1.0 });

        Assert.All(await SendSequentiallyAsync(sandbox, "erp", 5), status => Assert.Equal(HttpStatusCode.ServiceUnavailable, status));
        Assert.All(await SendSequentiallyAsync(sandbox, "magento", 5), status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Faults_apply_to_every_path_under_the_prefix_public_and_unknown_ones_included()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("pim", new { errorRate = 1.0, errorStatus = 500 });

        using var token = await sandbox.Client.PostAsJsonAsync("pim/api/oauth/v1/token", new { grant_type = "password" });
        using var unknown = await sandbox.Client.GetAsync("pim/api/rest/v1/no-such-resource");

        Assert.Equal(HttpStatusCode.InternalServerError, token.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, unknown.StatusCode);
        var body = await unknown.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(500, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_faults_in_the_same_places()
    {
        var first = await RunWithSeedAsync(seed: 7);
        var again = await RunWithSeedAsync(seed: 7);
        var other = await RunWithSeedAsync(seed: 8);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);

        static async Task<List<HttpStatusCode>> RunWithSeedAsync(int seed)
        {
            await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Seed"] = seed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            await sandbox.PutFaultsAsync("erp", new { errorRate = 0.3, throttleRate = 0.2 });
            return await SendSequentiallyAsync(sandbox, "erp", 60);
        }
    }

    [Fact]
    public async Task Setting_a_profile_again_restarts_its_sequence()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        await sandbox.PutFaultsAsync("erp", new { errorRate = 0.5, seed = 99 });
        var first = await SendSequentiallyAsync(sandbox, "erp", 40);
        await sandbox.PutFaultsAsync("erp", new { errorRate = 0.5, seed = 99 });
        var second = await SendSequentiallyAsync(sandbox, "erp", 40);

        Assert.Equal(first, second);
        Assert.Contains(HttpStatusCode.OK, first);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, first);
    }

    [Fact]
    public async Task Faults_configured_at_start_are_active_at_once()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Faults:shopify:ErrorRate"] = "1",
            ["Sandbox:Faults:shopify:ErrorStatus"] = "500",
        });

        Assert.All(await SendSequentiallyAsync(sandbox, "shopify", 3), status => Assert.Equal(HttpStatusCode.InternalServerError, status));
        var profile = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/faults/shopify");
        Assert.Equal(1.0, profile.GetProperty("errorRate").GetDouble());
    }

    [Fact]
    public async Task A_bad_fault_setting_at_start_stops_the_sandbox_from_starting()
    {
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Faults:shopify:ErrorRate"] = "1.5",
        }));

        Assert.Contains("errorRate", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"errorRate": 1.5}""", "errorRate")]
    [InlineData("""{"errorRate": 0.6, "throttleRate": 0.5}""", "errorRate")]
    [InlineData("""{"errorStatus": 200}""", "errorStatus")]
    [InlineData("""{"errorStatus": 429}""", "errorStatus")]
    [InlineData("""{"latencyMs": -1}""", "latencyMs")]
    [InlineData("""{"timeoutSeconds": 0}""", "timeoutSeconds")]
    [InlineData("""{"errorrRate": 0.5}""", "errorrRate")]
    [InlineData("""{"lostResponseRate": 1.5}""", "lostResponseRate")]
    [InlineData("""{"errorRate": 0.5, "lostResponseRate": 0.6}""", "errorRate")]
    public async Task An_invalid_profile_is_refused_and_the_old_one_kept(string json, string named)
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("erp", new { latencyMs = 1 });

        using var response = await sandbox.Client.PutAsync("_sandbox/faults/erp", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var profile = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/faults/erp");
        Assert.Equal(1, profile.GetProperty("latencyMs").GetInt32());
    }

    [Fact]
    public async Task An_unknown_system_has_no_faults()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var put = await sandbox.Client.PutAsJsonAsync("_sandbox/faults/sap", new { errorRate = 1 });
        using var get = await sandbox.Client.GetAsync("_sandbox/faults/sap");

        Assert.Equal(HttpStatusCode.NotFound, put.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    internal static async Task<List<HttpStatusCode>> SendSequentiallyAsync(SandboxHost sandbox, string system, int count)
    {
        var statuses = new List<HttpStatusCode>(count);
        for (var i = 0; i < count; i++)
        {
            using var response = await sandbox.Client.SendAsync(sandbox.AuthorizedRequest(system));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "condition not met within 10 s");
            await Task.Delay(20);
        }
    }
}

internal static class ServiceProviderExtensions
{
    public static SandboxCounters GetCounters(this IServiceProvider services) =>
        (SandboxCounters)services.GetService(typeof(SandboxCounters))!;
}
