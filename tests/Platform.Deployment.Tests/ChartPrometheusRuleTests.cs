using System.Diagnostics;
using Newtonsoft.Json.Linq;

namespace Platform.Deployment.Tests;

/// <summary>The alert rules each service chart ships in files/prometheus-rules.yaml, checked and unit-tested with promtool.</summary>
public sealed class ChartPrometheusRuleTests
{
    private static readonly string[] ChartsWithRules = ["catalog", "inventory", "order", "customer", "tracking"];

    public static TheoryData<string> RuleCharts => ChartFiles.Theory(ChartsWithRules);

    [Theory]
    [MemberData(nameof(RuleCharts))]
    public void The_rule_file_passes_promtool_check_rules(string chart)
    {
        var (exitCode, output) = Promtool(ChartFiles.ChartFile(chart, "files"), "check", "rules", "prometheus-rules.yaml");
        Assert.True(exitCode == 0, $"promtool check rules failed for {chart}:\n{output}");
    }

    [Theory]
    [MemberData(nameof(RuleCharts))]
    public void The_rule_unit_tests_pass(string chart)
    {
        var (exitCode, output) = Promtool(ChartFiles.ChartFile(chart, "files"), "test", "rules", "prometheus-rules.test.yaml");
        Assert.True(exitCode == 0, $"promtool test rules failed for {chart}:\n{output}");
    }

    [Theory]
    [MemberData(nameof(RuleCharts))]
    public void Every_alert_selects_its_own_job_and_carries_severity_service_and_summary(string chart)
    {
        var file = ChartYaml.ToJson(ChartFiles.ReadChartFile(chart, "files/prometheus-rules.yaml"));
        var rules = file["groups"]!.SelectMany(group => group["rules"]!).ToList();
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            var alert = (string?)rule["alert"];
            Assert.Contains($"job=\"{chart}\"", (string?)rule["expr"] ?? "", StringComparison.Ordinal);
            Assert.Contains((string?)rule["labels"]?["severity"], new[] { "critical", "warning", "info" });
            Assert.Equal(chart, (string?)rule["labels"]?["service"]);
            Assert.False(string.IsNullOrWhiteSpace((string?)rule["annotations"]?["summary"]), $"{alert} needs a summary");
        }

        // Rules from the file must also satisfy the ruleGroup shape values.schema.json gives prometheusRule.groups.
        var values = ChartYaml.With(ChartSchemaValidation.DefaultValues(chart), "prometheusRule.groups", (JArray)file["groups"]!);
        Assert.Empty(ChartSchemaValidation.Validate(chart, values));
    }

    [Fact]
    public void Consumers_alert_on_the_lag_of_their_own_group()
    {
        foreach (var chart in new[] { "inventory", "order", "customer" })
        {
            Assert.Contains($"platform_messaging_consumer_lag{{job=\"{chart}\", group=\"{chart}\"}}", ChartFiles.ReadChartFile(chart, "files/prometheus-rules.yaml"), StringComparison.Ordinal);
        }
    }

    private static (int ExitCode, string Output) Promtool(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("promtool is not installed: apt-get install -y prometheus", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"promtool {string.Join(' ', arguments)} did not finish in 60 s");
            }

            return (process.ExitCode, output.GetAwaiter().GetResult() + error.GetAwaiter().GetResult());
        }
    }
}
