namespace Platform.Observability.Tests;

/// <summary>The metric-name extraction the exported-metrics check relies on: it must neither miss a name nor invent one.</summary>
public sealed class PromQlTests
{
    [Theory]
    [InlineData("up{job=\"order\"} == 0", "up")]
    [InlineData("platform_outbox_pending", "platform_outbox_pending")]
    [InlineData("sum(platform_outbox_pending)", "platform_outbox_pending")]
    [InlineData("platform_outbox_pending > 0", "platform_outbox_pending")]
    [InlineData("rate(platform_messaging_retries_total[5m])", "platform_messaging_retries_total")]
    [InlineData("sum by (namespace, group, topic) (increase(platform_messaging_dead_letters_total{job=\"order\"}[15m])) > 0", "platform_messaging_dead_letters_total")]
    [InlineData("sum(rate(a_total[5m])) by (le, topic) / ignoring(topic) group_left sum(b_total)", "a_total", "b_total")]
    [InlineData("x unless on (namespace, store) y offset 15m", "x", "y")]
    [InlineData("absent(up{job=\"inventory\"} == 1)", "up")]
    [InlineData("time() - max by (flow) (platform_sync_last_success_timestamp_seconds{flow=~\"stock.*\", job=\"inventory\"}) > 1800", "platform_sync_last_success_timestamp_seconds")]
    [InlineData("histogram_quantile(0.95, sum by (le) (rate(platform_connector_request_duration_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))", "platform_connector_request_duration_seconds_bucket")]
    [InlineData("label_values(target_info{service_namespace=\"platform\"}, namespace)", "target_info")]
    [InlineData("label_replace(up, \"pod\", \"$1\", \"instance\", \"(.*):.*\")", "up")]
    [InlineData("max_over_time(deriv(sum by (topic) (lag)[10m:1m])[5m:]) * 1e3 > 2.5e-1 and bool_series", "lag", "bool_series")]
    [InlineData("min_over_time(platform_order_awaiting_export{job=\"order\"}[15m]) > 0 and on() vector(1)", "platform_order_awaiting_export")]
    [InlineData("count by (namespace) (sum by (namespace, job) (up{job=~\"catalog|order\"}) == 0) >= 2", "up")]
    [InlineData("sum without (instance, pod) (rate(http_server_request_duration_seconds_count{http_route=\"/metrics\"}[1m]))", "http_server_request_duration_seconds_count")]
    public void Finds_exactly_the_metric_names_a_query_reads(string query, params string[] expected)
    {
        Assert.Equal(expected.Order(StringComparer.Ordinal), PromQl.MetricNames(query).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_query_that_reads_no_series_has_no_names()
    {
        Assert.Empty(PromQl.MetricNames("time() - 1800"));
        Assert.Empty(PromQl.MetricNames("vector(1) and on() (scalar(2) > bool 1)"));
    }

    [Fact]
    public void Grafana_variables_become_valid_promql_for_the_syntax_check()
    {
        Assert.Equal(
            "sum(rate(x_total{namespace=~\".*\", instance=~\".*\"}[5m]))",
            PromQl.ForPromtool("sum(rate(x_total{namespace=~\"$namespace\", instance=~\"${instance}\"}[$__rate_interval]))"));
        Assert.Equal("target_info{job=\"order\"}", PromQl.ForPromtool("label_values(target_info{job=\"order\"}, instance)"));
    }
}
