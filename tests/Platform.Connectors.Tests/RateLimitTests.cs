using System.Diagnostics;
using System.Net;
using Platform.Connectors.Tests.Infrastructure;

namespace Platform.Connectors.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task A_burst_over_the_limit_waits_in_the_queue_instead_of_failing()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(200));
        var settings = ConnectorHarness.FastSettings("shopify", remote.BaseAddress);
        settings["Platform:Connectors:shopify:RateLimit:PermitsPerSecond"] = "5";
        settings["Platform:Connectors:shopify:RateLimit:Burst"] = "2";
        settings["Platform:Connectors:shopify:RateLimit:QueueLimit"] = "50";
        await using var harness = ConnectorHarness.Create("shopify", settings);
        const int requests = 10;

        var watch = Stopwatch.StartNew();
        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(_ => harness.Client.GetAsync("products.list", "products")));
        watch.Stop();

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(requests, remote.Hits);
        // (10 - 2 burst) / 5 per second = 1.6 s; the lower bound is generous for timer granularity.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.3), $"10 requests at 5/s with burst 2 took only {watch.Elapsed}");
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Requests_beyond_a_full_queue_fail_as_rate_limited_without_reaching_the_remote()
    {
        await using var remote = await FakeRemote.StartAsync(FakeRemote.Statuses(200));
        var settings = ConnectorHarness.FastSettings("crm", remote.BaseAddress);
        settings["Platform:Connectors:crm:RateLimit:PermitsPerSecond"] = "0.5";
        settings["Platform:Connectors:crm:RateLimit:Burst"] = "1";
        settings["Platform:Connectors:crm:RateLimit:QueueLimit"] = "1";
        await using var harness = ConnectorHarness.Create("crm", settings);

        var calls = Enumerable.Range(0, 5).Select(_ => Outcome(harness.Client.GetAsync("contacts.list", "contacts"))).ToList();
        var outcomes = await Task.WhenAll(calls);

        var rejected = outcomes.Count(o => o == "rate_limited");
        Assert.True(rejected >= 2, $"outcomes: {string.Join(", ", outcomes)}");
        Assert.Equal(5 - rejected, remote.Hits);
        Assert.Equal(rejected, harness.Metrics.Get("platform.connector.requests").Count(r => r.Tag("outcome") == "rate_limited"));
        Assert.DoesNotContain(harness.Metrics.Get("platform.connector.request.attempts"), a => a.Tag("outcome") == "rate_limited");
    }

    [Theory]
    [InlineData(5, 1, 0.2)]
    [InlineData(0.5, 1, 2)]
    [InlineData(20, 1, 0.05)]
    [InlineData(100, 5, 0.05)]
    [InlineData(30, 2, 2.0 / 30)]
    public void Token_bucket_replenishes_at_exactly_the_configured_rate(double permitsPerSecond, int tokensPerPeriod, double periodSeconds)
    {
        var bucket = ConnectorPipeline.TokenBucketFor(new RateLimitSettings { PermitsPerSecond = permitsPerSecond, Burst = 10, QueueLimit = 0 });

        Assert.Equal(tokensPerPeriod, bucket.TokensPerPeriod);
        Assert.Equal(periodSeconds, bucket.ReplenishmentPeriod.TotalSeconds, 5);
        Assert.Equal(permitsPerSecond, bucket.TokensPerPeriod / bucket.ReplenishmentPeriod.TotalSeconds, 3);
    }

    private static async Task<string> Outcome(Task<HttpResponseMessage> call)
    {
        try
        {
            using var response = await call;
            return ((int)response.StatusCode).ToString();
        }
        catch (ConnectorException exception) when (exception.Failure == ConnectorFailure.RateLimited)
        {
            return "rate_limited";
        }
    }
}
