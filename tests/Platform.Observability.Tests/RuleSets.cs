using YamlDotNet.RepresentationModel;

namespace Platform.Observability.Tests;

internal sealed record AlertRule(
    string Name,
    string Expr,
    string? For,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    string Group,
    string Source)
{
    public string Severity => Labels.GetValueOrDefault("severity") ?? "";

    public override string ToString() => $"{Name} ({Severity}) in {Source}";
}

/// <summary>One expected-alert check of a promtool test file: at eval_time, alertname fires exactly these severities.</summary>
internal sealed record AlertCheck(string AlertName, string EvalTime, IReadOnlyList<string> FiringSeverities);

/// <summary>
/// A rule file and its promtool unit tests: each service chart's plain rule file, and the cross-service
/// PrometheusRule object under k8s/monitoring, whose spec is the rule file promtool reads.
/// </summary>
internal sealed class RuleSet
{
    private RuleSet(string name, string rulesPath, string testsPath, bool isPrometheusRuleObject)
    {
        Name = name;
        RulesPath = rulesPath;
        TestsPath = testsPath;
        IsPrometheusRuleObject = isPrometheusRuleObject;
    }

    public string Name { get; }
    public string RulesPath { get; }
    public string TestsPath { get; }
    public bool IsPrometheusRuleObject { get; }

    public static IReadOnlyList<RuleSet> All { get; } =
    [
        .. Repository.Services.Select(s => new RuleSet(s, Repository.ChartRules(s), Repository.ChartRuleTests(s), isPrometheusRuleObject: false)),
        new RuleSet("platform", Repository.PlatformRules, Repository.PlatformRuleTests, isPrometheusRuleObject: true),
    ];

    public static RuleSet Named(string name) => All.Single(r => r.Name == name);

    public static IEnumerable<AlertRule> AllAlerts => All.SelectMany(r => r.Alerts);

    public YamlMappingNode GroupsDocument
    {
        get
        {
            var root = Yaml.LoadMapping(RulesPath);
            return IsPrometheusRuleObject ? Yaml.Mapping(root, "spec") : root;
        }
    }

    public IReadOnlyList<AlertRule> Alerts =>
        Yaml.Sequence(GroupsDocument, "groups").Cast<YamlMappingNode>().SelectMany(group =>
        {
            var groupName = Yaml.Scalar(group, "name") ?? "";
            return Yaml.Sequence(group, "rules").Cast<YamlMappingNode>()
                .Where(rule => Yaml.Scalar(rule, "alert") is not null)
                .Select(rule => new AlertRule(
                    Yaml.Scalar(rule, "alert")!,
                    Yaml.Scalar(rule, "expr") ?? "",
                    Yaml.Scalar(rule, "for"),
                    Yaml.StringMap(rule, "labels"),
                    Yaml.StringMap(rule, "annotations"),
                    groupName,
                    Repository.Relative(RulesPath)));
        }).ToList();

    public IReadOnlyList<AlertCheck> Checks =>
        Yaml.Sequence(Yaml.LoadMapping(TestsPath), "tests").Cast<YamlMappingNode>()
            .SelectMany(test => Yaml.Sequence(test, "alert_rule_test").Cast<YamlMappingNode>())
            .Select(check => new AlertCheck(
                Yaml.Scalar(check, "alertname") ?? "",
                Yaml.Scalar(check, "eval_time") ?? "",
                Yaml.Sequence(check, "exp_alerts").Cast<YamlMappingNode>()
                    .Select(alert => Yaml.StringMap(alert, "exp_labels").GetValueOrDefault("severity") ?? "")
                    .ToList()))
            .ToList();

    /// <summary>
    /// A folder holding the rule file and the test file as promtool expects them side by side. For the chart files
    /// that is their own folder; for the PrometheusRule object, a temporary one with the object's spec written under
    /// the name the test file's rule_files gives, so the object stays the only copy of its rules.
    /// </summary>
    public PromtoolFolder PrepareForPromtool()
    {
        if (!IsPrometheusRuleObject)
        {
            return new PromtoolFolder(System.IO.Path.GetDirectoryName(RulesPath)!, System.IO.Path.GetFileName(RulesPath), System.IO.Path.GetFileName(TestsPath), null);
        }

        var ruleFileName = Yaml.Sequence(Yaml.LoadMapping(TestsPath), "rule_files").Cast<YamlScalarNode>().Single().Value!;
        var folder = Directory.CreateTempSubdirectory("platform-rules-");
        using (var writer = new StreamWriter(System.IO.Path.Combine(folder.FullName, ruleFileName)))
        {
            new YamlStream(new YamlDocument(GroupsDocument)).Save(writer, assignAnchors: false);
        }

        File.Copy(TestsPath, System.IO.Path.Combine(folder.FullName, System.IO.Path.GetFileName(TestsPath)));
        return new PromtoolFolder(folder.FullName, ruleFileName, System.IO.Path.GetFileName(TestsPath), folder.FullName);
    }

    public override string ToString() => Name;
}

internal sealed record PromtoolFolder(string Directory, string RuleFile, string TestFile, string? TemporaryDirectory) : IDisposable
{
    public void Dispose()
    {
        if (TemporaryDirectory is not null)
        {
            System.IO.Directory.Delete(TemporaryDirectory, recursive: true);
        }
    }
}

internal static class Yaml
{
    public static YamlMappingNode LoadMapping(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new InvalidOperationException($"{Repository.Relative(path)}: the document is not a mapping");
    }

    public static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static YamlMappingNode Mapping(YamlNode node, string key) =>
        Child(node, key) as YamlMappingNode ?? throw new InvalidOperationException($"'{key}' is not a mapping");

    public static string? Scalar(YamlNode? node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Sequence(YamlNode? node, string key) =>
        Child(node, key) is YamlSequenceNode sequence ? sequence.Children : [];

    public static IReadOnlyDictionary<string, string> StringMap(YamlNode? node, string key) =>
        Child(node, key) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => (e.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
