using System.Text.RegularExpressions;

namespace Platform.Deployment.Tests;

/// <summary>
/// What can be checked in the templates without rendering them: helpers used exist in the library and take
/// dict "context", every helper is documented, selectors use only the immutable labels, and the pod is hardened.
/// </summary>
public sealed partial class ChartTemplateTests
{
    public static TheoryData<string> ServiceCharts => ChartFiles.Theory(ChartFiles.ServiceCharts);

    private static readonly Lazy<string> Library = new(() =>
        string.Join("\n", ChartFiles.TemplateFiles(ChartFiles.LibraryChart).Select(File.ReadAllText)));

    [Fact]
    public void Every_included_helper_is_defined_in_the_library()
    {
        var defined = LibraryDefines();
        var used = ChartFiles.AllCharts()
            .SelectMany(ChartFiles.TemplateFiles)
            .SelectMany(file => IncludeCall().Matches(File.ReadAllText(file)).Select(match => (File: Path.GetRelativePath(ChartFiles.ChartsDirectory, file), Name: match.Groups["name"].Value)))
            .ToList();
        Assert.NotEmpty(used);
        var unknown = used.Where(use => !defined.Contains(use.Name)).Select(use => $"{use.File}: {use.Name}").ToList();
        Assert.True(unknown.Count == 0, "included but not defined in charts/platform-service/templates:\n" + string.Join("\n", unknown));
    }

    [Fact]
    public void Every_helper_is_named_for_the_library_documented_and_used()
    {
        var text = Library.Value;
        var problems = new List<string>();
        foreach (Match define in DefineCall().Matches(text))
        {
            var name = define.Groups["name"].Value;
            if (!name.StartsWith("platform-service.", StringComparison.Ordinal))
            {
                problems.Add($"{name}: library helpers are named platform-service.*");
            }

            var before = text[..define.Index].TrimEnd();
            if (!before.EndsWith("*/}}", StringComparison.Ordinal))
            {
                problems.Add($"{name}: needs a {{{{/* ... */}}}} comment directly above its define saying what it renders");
            }

            if (name != "platform-service.all" && !text.Contains($"include \"{name}\"", StringComparison.Ordinal))
            {
                problems.Add($"{name}: defined but never included");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_include_passes_a_dict_with_the_context()
    {
        var offenders = ChartFiles.AllCharts()
            .SelectMany(ChartFiles.TemplateFiles)
            .SelectMany(file => File.ReadAllLines(file).Select((line, index) => (File: file, Line: index + 1, Text: line)))
            .Where(line => line.Text.Contains("include \"", StringComparison.Ordinal) && !IncludeWithContext().IsMatch(line.Text))
            .Select(line => $"{Path.GetRelativePath(ChartFiles.ChartsDirectory, line.File)}:{line.Line}: {line.Text.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "helpers take (dict \"context\" ...):\n" + string.Join("\n", offenders));
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void A_service_chart_template_only_calls_the_library(string chart)
    {
        var file = Assert.Single(ChartFiles.TemplateFiles(chart));
        Assert.Equal("all.yaml", Path.GetFileName(file));
        var calls = IncludeCall().Matches(File.ReadAllText(file)).Select(match => match.Groups["name"].Value);
        Assert.Equal(["platform-service.all"], calls);
        Assert.Contains("(dict \"context\" $)", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public void Selector_labels_are_only_the_immutable_name_and_instance()
    {
        var body = DefineBody("platform-service.selectorLabels");
        var keys = LabelKey().Matches(body).Select(match => match.Groups["key"].Value).ToList();
        Assert.Equal(["app.kubernetes.io/name", "app.kubernetes.io/instance"], keys);
        Assert.Contains("include \"platform-service.selectorLabels\"", DefineBody("platform-service.labels"), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_selector_of_the_services_own_pods_uses_the_selector_labels()
    {
        var problems = new List<string>();
        var selectorsSeen = 0;
        foreach (var file in ChartFiles.TemplateFiles(ChartFiles.LibraryChart))
        {
            var lines = File.ReadAllLines(file);
            for (var index = 0; index < lines.Length; index++)
            {
                var match = OwnSelector().Match(lines[index]);
                if (!match.Success || (match.Groups["kind"].Value == "podSelector" && match.Groups["indent"].Value.Length != 2))
                {
                    // A podSelector deeper than spec level is a NetworkPolicy peer (other pods), not this service's pods.
                    continue;
                }

                selectorsSeen++;
                var block = string.Join("\n", lines.Skip(index + 1).Take(2));
                if (!block.Contains("include \"platform-service.selectorLabels\"", StringComparison.Ordinal) || block.Contains("platform-service.labels", StringComparison.Ordinal))
                {
                    problems.Add($"{Path.GetFileName(file)}:{index + 1}: {lines[index].Trim()} must select by platform-service.selectorLabels only");
                }
            }
        }

        // Deployment, Service, PodDisruptionBudget, ServiceMonitor, NetworkPolicy.
        Assert.Equal(5, selectorsSeen);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [InlineData("runAsNonRoot: true")]
    [InlineData("readOnlyRootFilesystem: true")]
    [InlineData("allowPrivilegeEscalation: false")]
    [InlineData("- ALL")]
    [InlineData("type: RuntimeDefault")]
    [InlineData("automountServiceAccountToken: false")]
    [InlineData("mountPath: /tmp")]
    [InlineData("emptyDir:")]
    [InlineData("checksum/config: {{ include \"platform-service.configmap\"")]
    [InlineData("startupProbe:")]
    [InlineData("service: liveness")]
    [InlineData("service: readiness")]
    [InlineData("secretKeyRef:")]
    [InlineData("configMapKeyRef:")]
    [InlineData("dapr.io/app-protocol: \"grpc\"")]
    [InlineData("Platform__Hosting__BindAddress: \"0.0.0.0\"")]
    public void The_deployment_is_hardened_and_wired_as_the_services_expect(string snippet)
    {
        Assert.Contains(snippet, Library.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Probes_use_grpc_health_on_the_grpc_port()
    {
        var deployment = DefineBody("platform-service.deployment");
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            var start = deployment.IndexOf(probe + ":", StringComparison.Ordinal);
            Assert.True(start >= 0, $"{probe} missing");
            var block = deployment[start..(start + 120)];
            Assert.Contains("grpc:", block, StringComparison.Ordinal);
            Assert.Contains("port: {{ $values.ports.grpc }}", block, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Hpa_and_keda_are_alternatives_never_both()
    {
        var autoscaling = DefineBody("platform-service.autoscaling");
        Assert.Matches(@"if eq \.context\.Values\.autoscaling\.mode ""hpa""[\s\S]*else if eq \.context\.Values\.autoscaling\.mode ""keda""", autoscaling);
        Assert.Contains("consumerGroup: {{ default $values.serviceName $keda.consumerGroup | quote }}", DefineBody("platform-service.scaledObject"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_all_helper_renders_every_resource_kind()
    {
        var all = DefineBody("platform-service.all");
        foreach (var helper in new[] { "serviceAccount", "configmap", "deployment", "service", "autoscaling", "podDisruptionBudget", "serviceMonitor", "prometheusRule", "networkPolicy", "validate" })
        {
            Assert.Contains($"include \"platform-service.{helper}\"", all, StringComparison.Ordinal);
        }

        foreach (var kind in new[] { "Deployment", "Service", "HorizontalPodAutoscaler", "ScaledObject", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule", "NetworkPolicy", "ServiceAccount", "ConfigMap" })
        {
            Assert.Matches($"(?m)^kind: {kind}$", Library.Value);
        }
    }

    private static HashSet<string> LibraryDefines() =>
        [.. DefineCall().Matches(Library.Value).Select(match => match.Groups["name"].Value)];

    private static string DefineBody(string name)
    {
        var text = Library.Value;
        var start = text.IndexOf($"define \"{name}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{name} is not defined");
        // The body ends where the next helper's comment or define begins.
        var nextComment = text.IndexOf("{{/*", start, StringComparison.Ordinal);
        var nextDefine = DefineCall().Match(text, start + name.Length + 10);
        var end = new[] { nextComment, nextDefine.Success ? nextDefine.Index : -1, text.Length }.Where(index => index > start).Min();
        return text[start..end];
    }

    [GeneratedRegex(@"\{\{-?\s*define\s+""(?<name>[^""]+)""")]
    private static partial Regex DefineCall();

    [GeneratedRegex(@"(?:include|template)\s+""(?<name>[^""]+)""")]
    private static partial Regex IncludeCall();

    [GeneratedRegex(@"include\s+""[^""]+""\s+\(dict\s+""context""\s+(\$|\.context)[\s)]")]
    private static partial Regex IncludeWithContext();

    [GeneratedRegex(@"^(?<key>[a-z0-9./-]+):\s", RegexOptions.Multiline)]
    private static partial Regex LabelKey();

    [GeneratedRegex(@"^(?<indent>\s*)(?<kind>selector|podSelector):\s*$")]
    private static partial Regex OwnSelector();
}
