using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Platform.Deployment.Tests;

/// <summary>Chart.yaml of every chart: API version, type, and dependencies pinned to one exact version.</summary>
public sealed partial class ChartMetadataTests
{
    public static TheoryData<string> AllCharts => ChartFiles.Theory(ChartFiles.AllCharts());
    public static TheoryData<string> ServiceCharts => ChartFiles.Theory(ChartFiles.ServiceCharts);

    [Fact]
    public void Every_expected_chart_exists_and_nothing_else_does()
    {
        string[] expected = [ChartFiles.LibraryChart, ChartFiles.UmbrellaChart, .. ChartFiles.ServiceCharts];
        Assert.Equal(expected.Order(StringComparer.Ordinal), ChartFiles.AllCharts());
    }

    [Theory]
    [MemberData(nameof(AllCharts))]
    public void Chart_yaml_is_api_v2_named_after_its_folder_with_a_plain_semantic_version(string chart)
    {
        var metadata = ChartMetadata(chart);
        Assert.Equal("v2", (string?)metadata["apiVersion"]);
        Assert.Equal(chart, (string?)metadata["name"]);
        Assert.Matches(ExactVersion(), (string?)metadata["version"] ?? "");
        Assert.False(string.IsNullOrWhiteSpace((string?)metadata["description"]), $"{chart}/Chart.yaml needs a description");
    }

    [Fact]
    public void The_library_is_a_library_chart_without_dependencies_or_values()
    {
        var metadata = ChartMetadata(ChartFiles.LibraryChart);
        Assert.Equal("library", (string?)metadata["type"]);
        Assert.Null(metadata["dependencies"]);

        // A library's values.yaml and values.schema.json would be validated as the parent's "platform-service:" section.
        Assert.False(File.Exists(ChartFiles.ChartFile(ChartFiles.LibraryChart, "values.yaml")));
        Assert.False(File.Exists(ChartFiles.ChartFile(ChartFiles.LibraryChart, "values.schema.json")));
        Assert.True(File.Exists(ChartFiles.ChartFile(ChartFiles.LibraryChart, ChartFiles.LibraryValuesContract)));
        Assert.All(ChartFiles.TemplateFiles(ChartFiles.LibraryChart), file => Assert.StartsWith("_", Path.GetFileName(file)));
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void A_service_chart_depends_on_the_library_pinned_to_its_exact_version(string chart)
    {
        var metadata = ChartMetadata(chart);
        Assert.Equal("application", (string?)metadata["type"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)metadata["appVersion"]), $"{chart}/Chart.yaml needs an appVersion (the default image tag)");

        var dependency = Assert.Single(Dependencies(metadata));
        Assert.Equal(ChartFiles.LibraryChart, (string?)dependency["name"]);
        Assert.Equal($"file://../{ChartFiles.LibraryChart}", (string?)dependency["repository"]);
        AssertPinned(chart, dependency, ChartMetadata(ChartFiles.LibraryChart));
    }

    [Fact]
    public void The_umbrella_depends_on_every_service_chart_pinned_exactly_and_switched_by_enabled()
    {
        var metadata = ChartMetadata(ChartFiles.UmbrellaChart);
        Assert.Equal("application", (string?)metadata["type"]);
        var dependencies = Dependencies(metadata);
        Assert.Equal(ChartFiles.ServiceCharts, dependencies.Select(dependency => (string?)dependency["name"]));
        foreach (var dependency in dependencies)
        {
            var name = (string)dependency["name"]!;
            Assert.Equal($"file://../{name}", (string?)dependency["repository"]);
            Assert.Equal($"{name}.enabled", (string?)dependency["condition"]);
            AssertPinned(ChartFiles.UmbrellaChart, dependency, ChartMetadata(name));
        }
    }

    [Theory]
    [InlineData("0.1.0", true)]
    [InlineData("~0.1.0", false)]
    [InlineData("^0.1.0", false)]
    [InlineData(">=0.1.0", false)]
    [InlineData("0.1.x", false)]
    [InlineData("0.1", false)]
    [InlineData("0.1.0 - 0.2.0", false)]
    public void Only_an_exact_version_counts_as_pinned(string version, bool pinned)
    {
        Assert.Equal(pinned, ExactVersion().IsMatch(version));
    }

    [Theory]
    [MemberData(nameof(AllCharts))]
    public void Every_chart_has_a_readme_and_every_chart_with_values_has_a_schema(string chart)
    {
        Assert.True(File.Exists(ChartFiles.ChartFile(chart, "README.md")), $"{chart} has no README.md");
        if (chart != ChartFiles.LibraryChart)
        {
            Assert.True(File.Exists(ChartFiles.ChartFile(chart, "values.yaml")), $"{chart} has no values.yaml");
            Assert.True(File.Exists(ChartFiles.ChartFile(chart, "values.schema.json")), $"{chart} has no values.schema.json");
        }
    }

    private static void AssertPinned(string chart, JToken dependency, JObject target)
    {
        var version = (string?)dependency["version"] ?? "";
        Assert.True(ExactVersion().IsMatch(version), $"{chart} depends on {dependency["name"]} with '{version}', a range; pin one exact version");
        Assert.Equal((string?)target["version"], version);
    }

    private static JObject ChartMetadata(string chart) => (JObject)ChartYaml.ToJson(ChartFiles.ReadChartFile(chart, "Chart.yaml"));

    private static List<JToken> Dependencies(JObject metadata) => metadata["dependencies"] is JArray list ? [.. list] : [];

    [GeneratedRegex(@"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")]
    private static partial Regex ExactVersion();
}
