namespace Platform.Observability.Tests;

/// <summary>
/// An alert on a metric nobody exports never fires, and a panel on one stays empty: every name the alerts and the
/// dashboards read must be served at /metrics by a running service.
/// </summary>
public sealed class ExportedMetricsTests(RunningPlatform platform) : IClassFixture<RunningPlatform>
{
    [Fact]
    public void Every_metric_name_an_alert_or_a_dashboard_reads_is_served_by_a_running_service()
    {
        var served = platform.Scrapes.Values.SelectMany(s => s.Names).ToHashSet(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var (name, users) in RunningPlatform.UsedNames)
        {
            if (served.Contains(name) || MetricUsage.WrittenByPrometheus.ContainsKey(name))
            {
                continue;
            }

            var hint = served.Contains(name + "_bucket")
                ? " (a histogram: read its _bucket, _sum or _count series)"
                : served.Contains(name + "_total") ? " (a counter: its series is named with _total)" : "";
            failures.Add($"{name}{hint}\n    used by {string.Join("\n    used by ", users)}");
        }

        Assert.True(failures.Count == 0, $"""
            {failures.Count} metric names are not served by any service:
            {string.Join('\n', failures)}
            traffic steps that failed: {(platform.TrafficProblems.Count == 0 ? "none" : string.Join("; ", platform.TrafficProblems))}
            """);
    }

    [Fact]
    public void The_check_covers_the_business_metrics_and_the_kafka_only_ones()
    {
        // Guards the check itself: if the rules or dashboards stopped reading these, the test above would prove less.
        Assert.Superset(
            new HashSet<string>
            {
                "platform_order_oldest_unexported_age_seconds", "platform_order_awaiting_export", "platform_sync_last_success_timestamp_seconds",
                "platform_messaging_dead_letters_total", "platform_messaging_consumer_lag", "platform_connector_circuit_state",
                "platform_outbox_pending", "platform_outbox_published_total", "platform_order_reconciliation_mismatches",
                "platform_order_webhooks_rejected_total", "platform_order_ingest_to_export_duration_seconds_bucket", "up",
                "platform_inventory_push_failures_total", "platform_inventory_push_latency_seconds_count", "platform_inventory_push_backlog",
                "platform_inventory_reconciliation_drift", "platform_inventory_updates_total", "platform_inventory_intake_rejected_total",
            },
            RunningPlatform.UsedNames.Keys.ToHashSet());
        Assert.DoesNotContain(RunningPlatform.UsedNames.Keys, name => name.EndsWith(':') || name.Contains("__", StringComparison.Ordinal));
    }

    [Fact]
    public void Consumer_lag_is_served_per_group_topic_and_partition_on_the_kafka_transport()
    {
        var order = platform.Scrapes["order"];
        Assert.True(order.HasSample("platform_messaging_consumer_lag", "group=\"order\"", "topic=\"order.ingest.v1\"", "partition=\""), Describe(order, "platform_messaging_consumer_lag"));
        Assert.True(order.HasSample("platform_messaging_consumer_rebalances_total", "group=\"order\"", "kind=\"assigned\""), Describe(order, "platform_messaging_consumer_rebalances_total"));
    }

    [Fact]
    public void The_stock_flows_are_served_by_inventory_under_the_names_the_alerts_match()
    {
        // StockSyncStale matches stock.pull.<source> and stock.push.<target>; StockSyncMissing any stock.*.
        var inventory = platform.Scrapes["inventory"];
        foreach (var flow in new[] { "stock.pull.erp", "stock.webhook.erp", "stock.apply.erp", "stock.push.magento" })
        {
            Assert.True(inventory.HasSample("platform_sync_last_success_timestamp_seconds", $"flow=\"{flow}\""), Describe(inventory, "platform_sync_last_success_timestamp_seconds"));
        }
    }

    [Fact]
    public void The_inventory_metrics_come_from_the_inventory_service_with_the_labels_the_alerts_group_by()
    {
        var inventory = platform.Scrapes["inventory"];
        foreach (var name in RunningPlatform.UsedNames.Keys.Where(n => n.StartsWith("platform_inventory_", StringComparison.Ordinal)))
        {
            Assert.True(inventory.Names.Contains(name), $"{name} is not served by inventory{Describe(inventory, "platform_inventory_")}");
        }

        Assert.True(inventory.HasSample("platform_inventory_updates_total", "source=\"erp\"", "channel=\"webhook\"", "outcome=\"stale\""), Describe(inventory, "platform_inventory_updates_total"));
        Assert.True(inventory.HasSample("platform_inventory_updates_total", "source=\"erp\"", "outcome=\"rejected\""), Describe(inventory, "platform_inventory_updates_total"));
        Assert.True(inventory.HasSample("platform_inventory_intake_rejected_total", "source=\"erp\"", "reason=\"bad_signature\""), Describe(inventory, "platform_inventory_intake_rejected_total"));
        Assert.True(inventory.HasSample("platform_inventory_push_failures_total", "target=\"magento\"", "reason=\"transient\""), Describe(inventory, "platform_inventory_push_failures_total"));
        Assert.True(inventory.HasSample("platform_inventory_push_latency_seconds_count", "target=\"magento\"", "kind=\""), Describe(inventory, "platform_inventory_push_latency_seconds"));
        Assert.True(inventory.HasSample("platform_inventory_pushes_total", "target=\"magento\"", "outcome=\"accepted\""), Describe(inventory, "platform_inventory_pushes_total"));
        Assert.True(inventory.HasSample("platform_messaging_dead_letters_total", "group=\"inventory\"", "topic=\"inventory.ingest.v1\"", "kind=\"invalid\""), Describe(inventory, "platform_messaging_dead_letters_total"));
    }

    [Fact]
    public void The_order_metrics_come_from_the_order_service_with_the_labels_the_alerts_group_by()
    {
        var order = platform.Scrapes["order"];
        foreach (var name in RunningPlatform.UsedNames.Keys.Where(n => n.StartsWith("platform_order_", StringComparison.Ordinal)))
        {
            Assert.True(order.Names.Contains(name), $"{name} is not served by order{Describe(order, "platform_order_")}");
        }

        Assert.True(order.HasSample("platform_order_webhooks_rejected_total", "reason=\"bad_signature\""), Describe(order, "platform_order_webhooks_rejected_total"));
        Assert.True(order.HasSample("platform_messaging_dead_letters_total", "group=\"order\"", "topic=\"order.ingest.v1\"", "kind=\"malformed\""), Describe(order, "platform_messaging_dead_letters_total"));
        Assert.True(order.HasSample("platform_order_illegal_transitions_total", "from=\"Placed\"", "action=\"ShipFully\""), Describe(order, "platform_order_illegal_transitions_total"));
        Assert.True(order.HasSample("platform_sync_last_success_timestamp_seconds", "flow=\"orders.reconciliation\""), Describe(order, "platform_sync_last_success_timestamp_seconds"));
        Assert.True(order.HasSample("platform_connector_requests_total", "system=\"erp\"", "status_code=\"503\""), Describe(order, "platform_connector_requests_total"));
    }

    [Fact]
    public void Every_service_names_itself_in_target_info_which_the_dashboards_namespace_variable_reads()
    {
        foreach (var service in Repository.Services)
        {
            Assert.True(platform.Scrapes[service].HasSample("target_info", $"service_name=\"{service}\"", "service_namespace=\"platform\""), Describe(platform.Scrapes[service], "target_info"));
        }
    }

    [Fact]
    public void Every_scrape_passes_promtool_metric_name_hygiene()
    {
        // Alerts rely on the conventions: counters end in _total, histograms own _bucket, _sum and _count.
        foreach (var scrape in platform.Scrapes.Values)
        {
            var result = Promtool.RunWithInput(Repository.Root, scrape.Text, "check", "metrics");
            Assert.True(result.Succeeded, $"{scrape.Service}: promtool check metrics:\n{result.Output}");
        }
    }

    [Fact]
    public void Every_step_of_the_traffic_took_effect()
    {
        Assert.True(platform.TrafficProblems.Count == 0, $"after {platform.Elapsed}:\n{string.Join('\n', platform.TrafficProblems)}");
    }

    private static string Describe(Scrape scrape, string prefix) =>
        $"\n{scrape.Service} serves:\n  " + string.Join("\n  ", scrape.Lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Take(40));
}
