namespace Platform.Observability.Tests;

/// <summary>Where the SRE surface lives in the repository the tests are built from.</summary>
internal static class Repository
{
    public static readonly string[] Services = ["catalog", "inventory", "order", "customer", "tracking"];

    public static string Root { get; } = FindRoot();

    public static string Path(string relative) => System.IO.Path.Combine(Root, relative);

    public static string Relative(string path) => System.IO.Path.GetRelativePath(Root, path).Replace('\\', '/');

    public static string RunbooksFolder => Path("docs/runbooks");

    public static string MonitoringFolder => Path("k8s/monitoring");

    public static string DashboardsFolder => Path("k8s/monitoring/dashboards");

    public static string ChartRules(string service) => Path($"charts/{service}/files/prometheus-rules.yaml");

    public static string ChartRuleTests(string service) => Path($"charts/{service}/files/prometheus-rules.test.yaml");

    public static string PlatformRules => Path("k8s/monitoring/platform-rules.yaml");

    public static string PlatformRuleTests => Path("k8s/monitoring/platform-rules.test.yaml");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}: the tests read the repository they are built from.");
    }
}
