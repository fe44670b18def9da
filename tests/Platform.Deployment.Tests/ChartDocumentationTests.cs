namespace Platform.Deployment.Tests;

/// <summary>Every value is documented where it is declared ("# --" comment above it) and listed in the chart README.</summary>
public sealed class ChartDocumentationTests
{
    public static TheoryData<string> ChartsWithValues => ChartFiles.Theory(ChartFiles.ChartsWithValues);

    [Theory]
    [MemberData(nameof(ChartsWithValues))]
    public void Every_value_has_a_comment_line_above_it(string chart)
    {
        var undocumented = ChartYaml.Keys(ChartFiles.ReadChartFile(chart, "values.yaml"))
            .Where(key => !key.IsDocumented)
            .Select(key => $"{key.Path} (line {key.Line})")
            .ToList();
        Assert.True(undocumented.Count == 0, $"{chart}/values.yaml: add a \"# -- ...\" line directly above:\n" + string.Join("\n", undocumented));
    }

    [Theory]
    [MemberData(nameof(ChartsWithValues))]
    public void Every_value_is_listed_in_the_readme_table(string chart)
    {
        var tableRows = ValuesSection(ChartFiles.ReadChartFile(chart, "README.md")).Where(line => line.StartsWith('|')).ToList();
        var missing = ChartYaml.Keys(ChartFiles.ReadChartFile(chart, "values.yaml"))
            .Where(key => key.IsLeaf)
            .Where(key => !tableRows.Any(row => row.Contains($"`{key.Path}`", StringComparison.Ordinal)))
            .Select(key => key.Path)
            .ToList();
        Assert.True(missing.Count == 0, $"{chart}/README.md lists no row for:\n" + string.Join("\n", missing));
    }

    [Theory]
    [MemberData(nameof(ChartsWithValues))]
    public void The_readme_lists_no_value_that_does_not_exist(string chart)
    {
        var paths = ChartYaml.Keys(ChartFiles.ReadChartFile(chart, "values.yaml")).Select(key => key.Path).ToHashSet(StringComparer.Ordinal);
        var stale = ValuesSection(ChartFiles.ReadChartFile(chart, "README.md"))
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .Select(line => line[3..line.IndexOf('`', 3)])
            .Where(path => !paths.Contains(path))
            .ToList();
        Assert.True(stale.Count == 0, $"{chart}/README.md lists values that values.yaml does not have:\n" + string.Join("\n", stale));
    }

    // The values table follows the "## Values" heading; tables above it (secrets, settings) list other things.
    private static IEnumerable<string> ValuesSection(string readme) =>
        readme.Split('\n').SkipWhile(line => line.Trim() != "## Values").TakeWhile((line, index) => index == 0 || !line.StartsWith("## ", StringComparison.Ordinal));

    [Fact]
    public void The_documentation_check_finds_an_undocumented_key_and_ignores_keys_inside_list_items()
    {
        const string yaml = """
            # -- Documented.
            image:
              # -- Documented too.
              repository: platform/order
              tag: ""
            # A plain comment is not helm-docs documentation.
            replicaCount: 2
            # -- Peers.
            peers:
              - podSelector:
                  matchLabels:
                    app: x
            """;
        var keys = ChartYaml.Keys(yaml);
        Assert.Equal(["image.tag", "replicaCount"], keys.Where(key => !key.IsDocumented).Select(key => key.Path));
        Assert.DoesNotContain(keys, key => key.Path.Contains("podSelector", StringComparison.Ordinal));
    }

    [Fact]
    public void The_charts_readme_says_what_was_not_checked_and_how_a_platform_team_checks_it()
    {
        var readme = File.ReadAllText(Path.Combine(ChartFiles.ChartsDirectory, "README.md"));
        Assert.Contains("## What was not checked here", readme, StringComparison.Ordinal);
        foreach (var step in new[] { "helm dependency build", "helm lint", "helm template", "skaffold render", "kubeconform" })
        {
            Assert.Contains(step, readme, StringComparison.Ordinal);
        }
    }
}
