namespace Platform.Deployment.Tests;

/// <summary>Where the charts live in this checkout, and which chart is which.</summary>
public static class ChartFiles
{
    public const string LibraryChart = "platform-service";
    public const string UmbrellaChart = "platform";

    /// <summary>The library's values contract; every service chart carries it unchanged as values.schema.json.</summary>
    public const string LibraryValuesContract = "service-values.schema.json";

    public static readonly IReadOnlyList<string> ServiceCharts = ["catalog", "inventory", "order", "customer", "tracking", "sandbox"];

    public static readonly IReadOnlyList<string> ChartsWithValues = [.. ServiceCharts, UmbrellaChart];

    private static readonly Lazy<string> Root = new(FindRepositoryRoot);

    public static string RepositoryRoot => Root.Value;

    public static string ChartsDirectory => Path.Combine(RepositoryRoot, "charts");

    public static string ChartDirectory(string chart) => Path.Combine(ChartsDirectory, chart);

    public static string ChartFile(string chart, string relativePath) => Path.Combine(ChartDirectory(chart), relativePath);

    public static string ReadChartFile(string chart, string relativePath) => File.ReadAllText(ChartFile(chart, relativePath));

    /// <summary>Every chart folder under charts/ (a folder with a Chart.yaml).</summary>
    public static IReadOnlyList<string> AllCharts() =>
        [.. Directory.GetDirectories(ChartsDirectory)
            .Where(directory => File.Exists(Path.Combine(directory, "Chart.yaml")))
            .Select(directory => Path.GetFileName(directory))
            .Order(StringComparer.Ordinal)];

    /// <summary>Template files of a chart: the library's helpers (*.tpl) and a service chart's manifests (*.yaml).</summary>
    public static IReadOnlyList<string> TemplateFiles(string chart)
    {
        var templates = Path.Combine(ChartDirectory(chart), "templates");
        return Directory.Exists(templates)
            ? [.. Directory.GetFiles(templates, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)]
            : [];
    }

    public static TheoryData<string> Theory(IEnumerable<string> charts)
    {
        var data = new TheoryData<string>();
        foreach (var chart in charts)
        {
            data.Add(chart);
        }

        return data;
    }

    private static string FindRepositoryRoot()
    {
        // Tests run from bin/<configuration>/<framework>; the checkout root is the first parent holding charts/.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (Directory.Exists(Path.Combine(directory.FullName, "charts", LibraryChart)))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No parent of {AppContext.BaseDirectory} holds charts/{LibraryChart}.");
    }
}
