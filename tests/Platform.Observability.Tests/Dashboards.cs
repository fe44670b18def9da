using System.Text.Json.Nodes;

namespace Platform.Observability.Tests;

/// <summary>A query of a dashboard: a panel target's expression or a template variable's query.</summary>
internal sealed record DashboardQuery(string Dashboard, string Where, string Query, bool IsVariable)
{
    public override string ToString() => $"{Dashboard} {Where}";
}

/// <summary>The Grafana dashboards under k8s/monitoring/dashboards, as Grafana reads them.</summary>
internal static class Dashboards
{
    public static IReadOnlyList<string> Files =>
        Directory.EnumerateFiles(Repository.DashboardsFolder, "*.json").Order(StringComparer.Ordinal).ToList();

    public static JsonObject Load(string path) =>
        JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidOperationException($"{Repository.Relative(path)} is empty");

    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        (dashboard["panels"]?.AsArray() ?? []).OfType<JsonObject>()
            .SelectMany(panel => new[] { panel }.Concat((panel["panels"]?.AsArray() ?? []).OfType<JsonObject>()));

    public static IEnumerable<JsonObject> Variables(JsonObject dashboard) =>
        (dashboard["templating"]?["list"]?.AsArray() ?? []).OfType<JsonObject>();

    public static IReadOnlyList<DashboardQuery> Queries { get; } = Files.SelectMany(QueriesOf).ToList();

    private static IEnumerable<DashboardQuery> QueriesOf(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        var dashboard = Load(path);
        foreach (var panel in Panels(dashboard))
        {
            foreach (var target in (panel["targets"]?.AsArray() ?? []).OfType<JsonObject>())
            {
                if (target["expr"]?.GetValue<string>() is { Length: > 0 } expr)
                {
                    yield return new DashboardQuery(name, $"panel '{panel["title"]}' target {target["refId"]}", expr, IsVariable: false);
                }
            }
        }

        foreach (var variable in Variables(dashboard).Where(v => (string?)v["type"] == "query"))
        {
            var query = variable["query"] is JsonObject q ? (string?)q["query"] : (string?)variable["query"];
            if (!string.IsNullOrEmpty(query))
            {
                yield return new DashboardQuery(name, $"variable '{variable["name"]}'", query, IsVariable: true);
            }
        }
    }
}
