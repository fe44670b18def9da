using System.Text.RegularExpressions;

namespace Platform.Observability.Tests;

/// <summary>
/// Every alert rule file: valid for Prometheus, unit-tested both ways with promtool, annotated for the person it
/// wakes up, and linked to its runbook.
/// </summary>
public sealed partial class AlertRuleTests
{
    private static readonly string[] Severities = ["critical", "warning", "info"];

    public static TheoryData<string> RuleSetNames => new(RuleSet.All.Select(r => r.Name));

    [Theory]
    [MemberData(nameof(RuleSetNames))]
    public void The_rules_pass_promtool_check_rules(string name)
    {
        using var folder = RuleSet.Named(name).PrepareForPromtool();
        var result = Promtool.Run(folder.Directory, "check", "rules", folder.RuleFile);
        Assert.True(result.Succeeded, $"promtool check rules failed for {name}:\n{result.Output}");
    }

    [Theory]
    [MemberData(nameof(RuleSetNames))]
    public void The_rule_unit_tests_pass(string name)
    {
        using var folder = RuleSet.Named(name).PrepareForPromtool();
        var result = Promtool.Run(folder.Directory, "test", "rules", folder.TestFile);
        Assert.True(result.Succeeded, $"promtool test rules failed for {name}:\n{result.Output}");
    }

    [Theory]
    [MemberData(nameof(RuleSetNames))]
    public void Every_alert_has_a_case_where_it_fires_and_one_where_it_stays_silent(string name)
    {
        var rules = RuleSet.Named(name);
        var checks = rules.Checks;
        var failures = new List<string>();
        foreach (var alert in rules.Alerts)
        {
            var ofAlert = checks.Where(c => c.AlertName == alert.Name).ToList();
            if (!ofAlert.Any(c => c.FiringSeverities.Contains(alert.Severity)))
            {
                failures.Add($"{alert}: no test case expects it to fire");
            }

            if (!ofAlert.Any(c => !c.FiringSeverities.Contains(alert.Severity)))
            {
                failures.Add($"{alert}: no test case expects it to stay silent");
            }
        }

        foreach (var check in checks.Where(c => rules.Alerts.All(a => a.Name != c.AlertName)))
        {
            failures.Add($"{Repository.Relative(rules.TestsPath)} tests '{check.AlertName}' at {check.EvalTime}, which no rule defines");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [MemberData(nameof(RuleSetNames))]
    public void Every_alert_carries_severity_service_summary_description_and_its_runbook(string name)
    {
        var failures = new List<string>();
        var alerts = RuleSet.Named(name).Alerts;
        Assert.NotEmpty(alerts);
        foreach (var alert in alerts)
        {
            if (!Severities.Contains(alert.Severity))
            {
                failures.Add($"{alert}: severity must be one of {string.Join(", ", Severities)}");
            }

            var service = alert.Labels.GetValueOrDefault("service");
            if (service != name)
            {
                failures.Add($"{alert}: label service is '{service}', expected '{name}' (alerts are routed on it)");
            }

            if (string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")))
            {
                failures.Add($"{alert}: no summary");
            }

            var description = alert.Annotations.GetValueOrDefault("description") ?? "";
            if (!TemplateReference().IsMatch(description))
            {
                failures.Add($"{alert}: the description must say which series fired, with $labels or $value");
            }

            var runbook = alert.Annotations.GetValueOrDefault("runbook_url");
            if (runbook != $"docs/runbooks/{alert.Name}.md")
            {
                failures.Add($"{alert}: runbook_url is '{runbook}', expected 'docs/runbooks/{alert.Name}.md'");
            }
            else if (!File.Exists(Repository.Path(runbook)))
            {
                failures.Add($"{alert}: {runbook} does not exist");
            }

            // Installations in one cluster must alert apart: every aggregation and every vector match keeps the
            // namespace. (absent() alone has no series to take one from: it fires once, for all of them.)
            foreach (Match aggregation in Aggregation().Matches(alert.Expr))
            {
                failures.Add($"{alert}: {aggregation.Groups["op"].Value}(...) without a by clause drops the namespace");
            }

            foreach (Match clause in GroupingLabels().Matches(alert.Expr))
            {
                if (!clause.Groups["labels"].Value.Split(',').Select(l => l.Trim()).Contains("namespace"))
                {
                    failures.Add($"{alert}: '{clause.Value}' drops the namespace");
                }
            }
        }

        foreach (var duplicate in alerts.GroupBy(a => (a.Name, a.Severity)).Where(g => g.Count() > 1))
        {
            failures.Add($"{duplicate.Key.Name} is defined {duplicate.Count()} times with severity {duplicate.Key.Severity}");
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void The_alerts_shared_by_every_service_are_the_same_in_every_chart_but_for_the_service()
    {
        // Same names, same runbooks: a copy that drifts in one chart would make its runbook lie.
        static string Normalised(string service, string group) => string.Join('\n', RuleSet.Named(service).Alerts
            .Where(a => a.Group == $"{service}.{group}")
            .Select(a => $"{a.Name}|{a.Expr}|{a.For}|{string.Join(',', a.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))}|{string.Join(',', a.Annotations.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))}")
            .Select(text => Regex.Replace(text, $@"\b{service}\b", "SERVICE")));

        foreach (var group in new[] { "messaging", "edges", "availability" })
        {
            var reference = Normalised("catalog", group);
            Assert.False(string.IsNullOrEmpty(reference), $"catalog has no group catalog.{group}");
            foreach (var service in Repository.Services.Skip(1))
            {
                Assert.True(reference == Normalised(service, group), $"{service}.{group} differs from catalog.{group} beyond the service name");
            }
        }
    }

    [Fact]
    public void Orders_not_exported_fires_on_the_age_of_the_oldest_order_and_a_backlog_that_never_emptied()
    {
        var alert = Assert.Single(RuleSet.Named("order").Alerts, a => a.Name == "OrdersNotExported");
        Assert.Equal("critical", alert.Severity);
        Assert.Contains("platform_order_oldest_unexported_age_seconds{job=\"order\"}) > 900", alert.Expr, StringComparison.Ordinal);
        Assert.Contains("min_over_time(platform_order_awaiting_export{job=\"order\"}[15m])) > 0", alert.Expr, StringComparison.Ordinal);
        Assert.Equal("order.business", alert.Group);
    }

    [Fact]
    public void Stock_sync_alerts_watch_the_stock_flows_that_run_on_a_schedule_or_have_work_waiting_and_their_absence()
    {
        // Intake, apply and push flows succeed only when stock moves; their age alone would page every quiet night.
        const string freshness = "platform_sync_last_success_timestamp_seconds{job=\"inventory\", ";
        var inventory = RuleSet.Named("inventory").Alerts;
        var stale = Assert.Single(inventory, a => a.Name == "StockSyncStale");
        Assert.Contains(freshness + "flow=~\"stock[.]pull[.].+\"}) > 1800", stale.Expr, StringComparison.Ordinal);
        Assert.Contains(freshness + "flow=~\"stock[.]push[.].+\"}) > 1800", stale.Expr, StringComparison.Ordinal);
        Assert.Contains("min_over_time(platform_inventory_push_backlog{job=\"inventory\"}[30m])) > 0", stale.Expr, StringComparison.Ordinal);
        Assert.DoesNotContain("flow=~\"stock.*\"", stale.Expr, StringComparison.Ordinal);
        var missing = Assert.Single(inventory, a => a.Name == "StockSyncMissing");
        Assert.Equal($"absent({freshness}flow=~\"stock.*\"}})", missing.Expr.Trim());
        Assert.Equal("30m", missing.For);
        Assert.All([stale, missing], a => Assert.Equal("critical", a.Severity));
        Assert.All(inventory.Where(a => a.Name.StartsWith("Stock", StringComparison.Ordinal)), a => Assert.Equal("inventory.business", a.Group));
    }

    [Fact]
    public void Every_runbook_belongs_to_an_alert_has_the_sections_an_on_call_needs_and_is_indexed()
    {
        var alertNames = RuleSet.AllAlerts.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var index = File.ReadAllText(System.IO.Path.Combine(Repository.RunbooksFolder, "README.md"));
        var failures = new List<string>();
        var runbooks = Directory.EnumerateFiles(Repository.RunbooksFolder, "*.md").Where(f => System.IO.Path.GetFileName(f) != "README.md").ToList();
        foreach (var runbook in runbooks)
        {
            var alert = System.IO.Path.GetFileNameWithoutExtension(runbook);
            var text = File.ReadAllText(runbook);
            if (!alertNames.Contains(alert))
            {
                failures.Add($"docs/runbooks/{alert}.md: no alert is named {alert}");
            }

            if (!text.StartsWith($"# {alert}\n", StringComparison.Ordinal))
            {
                failures.Add($"docs/runbooks/{alert}.md: the title must be the alert's name");
            }

            foreach (var section in new[] { "## What it means for the business", "## What fires it", "## What to check", "## What to do", "## When to escalate" })
            {
                if (!text.Contains(section + "\n", StringComparison.Ordinal))
                {
                    failures.Add($"docs/runbooks/{alert}.md: no '{section}' section");
                }
            }

            if (!index.Contains($"[{alert}]({alert}.md)", StringComparison.Ordinal))
            {
                failures.Add($"docs/runbooks/README.md does not link {alert}.md");
            }
        }

        Assert.Equal(alertNames.Order(StringComparer.Ordinal), runbooks.Select(System.IO.Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Runbook_links_between_runbooks_point_at_existing_pages()
    {
        var failures = new List<string>();
        foreach (var runbook in Directory.EnumerateFiles(Repository.RunbooksFolder, "*.md"))
        {
            foreach (Match link in RelativeMarkdownLink().Matches(File.ReadAllText(runbook)))
            {
                if (!File.Exists(System.IO.Path.Combine(Repository.RunbooksFolder, link.Groups["target"].Value)))
                {
                    failures.Add($"{Repository.Relative(runbook)} links {link.Groups["target"].Value}, which does not exist");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void The_dashboard_panels_runbooks_point_at_exist()
    {
        var panelsByDashboard = Dashboards.Files.Select(Dashboards.Load).ToDictionary(
            d => (string)d["title"]!,
            d => Dashboards.Panels(d).Select(p => (string?)p["title"]).ToHashSet(),
            StringComparer.Ordinal);
        var failures = new List<string>();
        var references = 0;
        foreach (var runbook in Directory.EnumerateFiles(Repository.RunbooksFolder, "*.md"))
        {
            foreach (Match reference in PanelReference().Matches(File.ReadAllText(runbook)))
            {
                references++;
                var dashboard = reference.Groups["dashboard"].Value;
                var titles = dashboard == "<service>" ? Repository.Services.Select(s => "Platform / " + s) : ["Platform / " + dashboard];
                foreach (var title in titles)
                {
                    if (!panelsByDashboard.TryGetValue(title, out var panels))
                    {
                        failures.Add($"{Repository.Relative(runbook)}: no dashboard is titled '{title}'");
                    }
                    else if (reference.Groups["panel"].Success && Regex.Replace(reference.Groups["panel"].Value, @"\s+", " ") is var panel && !panels.Contains(panel))
                    {
                        failures.Add($"{Repository.Relative(runbook)}: '{title}' has no panel '{panel}'");
                    }
                }
            }
        }

        Assert.True(references > 20, $"only {references} dashboard references found: has the runbooks' notation changed?");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    // **Platform / order → Waiting for the ERP**, **Platform / <service> → Outbox**, **Platform / Overview**
    [GeneratedRegex(@"\*\*Platform / (?<dashboard>[^*→]+?)(?:\s→\s(?<panel>[^*]+))?\*\*")]
    private static partial Regex PanelReference();

    [GeneratedRegex(@"\b(?<op>sum|min|max|avg|count|group|stddev|stdvar|topk|bottomk|quantile|count_values)\s*\(")]
    private static partial Regex Aggregation();

    [GeneratedRegex(@"\b(?:by|on)\s*\((?<labels>[^()]*)\)")]
    private static partial Regex GroupingLabels();

    [GeneratedRegex(@"\{\{[^}]*\$(labels|value)")]
    private static partial Regex TemplateReference();

    [GeneratedRegex(@"\]\((?<target>[A-Za-z0-9_.-]+\.md)\)")]
    private static partial Regex RelativeMarkdownLink();
}
