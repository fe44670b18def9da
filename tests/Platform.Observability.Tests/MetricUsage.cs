namespace Platform.Observability.Tests;

/// <summary>Which metric names the alerts and the dashboards read, and where.</summary>
internal static class MetricUsage
{
    /// <summary>Series Prometheus writes itself for every scrape target: no exporter serves them, so no scrape shows them.</summary>
    public static readonly IReadOnlyDictionary<string, string> WrittenByPrometheus = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["up"] = "1 when Prometheus scraped the target, 0 when the scrape failed",
    };

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> NamesWithUsers()
    {
        var users = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string query, string user)
        {
            foreach (var name in PromQl.MetricNames(query))
            {
                if (!users.TryGetValue(name, out var list))
                {
                    users[name] = list = [];
                }

                list.Add(user);
            }
        }

        foreach (var alert in RuleSet.AllAlerts)
        {
            Add(alert.Expr, alert.ToString());
        }

        foreach (var query in Dashboards.Queries)
        {
            Add(query.Query, query.ToString());
        }

        return users.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal);
    }
}
