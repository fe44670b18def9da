using YamlDotNet.RepresentationModel;

namespace Platform.Observability.Tests;

/// <summary>The Grafana dashboards: loadable by Grafana's sidecar, each query valid PromQL, one per service plus an overview.</summary>
public sealed class DashboardTests
{
    private static readonly string[] ExpectedFiles = ["platform-overview.json", .. Repository.Services.Select(s => s + ".json")];

    [Fact]
    public void There_is_an_overview_and_one_dashboard_per_service()
    {
        Assert.Equal(ExpectedFiles.Order(StringComparer.Ordinal), Dashboards.Files.Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_dashboard_has_a_unique_uid_a_prometheus_data_source_variable_and_panels_that_use_it()
    {
        var failures = new List<string>();
        var uids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Dashboards.Files)
        {
            var name = System.IO.Path.GetFileName(file);
            var dashboard = Dashboards.Load(file);
            var uid = (string?)dashboard["uid"];
            if (string.IsNullOrEmpty(uid) || uid.Length > 40 || !uids.Add(uid))
            {
                failures.Add($"{name}: uid '{uid}' is missing, longer than Grafana's 40 characters, or not unique");
            }

            if (string.IsNullOrWhiteSpace((string?)dashboard["title"]) || dashboard["id"] is not null)
            {
                failures.Add($"{name}: needs a title and no id (Grafana assigns ids; a fixed one clashes between instances)");
            }

            var datasource = Dashboards.Variables(dashboard).SingleOrDefault(v => (string?)v["name"] == "datasource");
            if ((string?)datasource?["type"] != "datasource" || (string?)datasource["query"] != "prometheus")
            {
                failures.Add($"{name}: needs a 'datasource' variable of type datasource, query prometheus");
            }

            var panelIds = new HashSet<int>();
            foreach (var panel in Dashboards.Panels(dashboard))
            {
                var title = (string?)panel["title"];
                if (panel["id"]?.GetValue<int>() is not { } id || !panelIds.Add(id))
                {
                    failures.Add($"{name}: panel '{title}' has no id or a duplicate one");
                }

                if ((string?)panel["type"] == "row")
                {
                    continue;
                }

                if (string.IsNullOrWhiteSpace((string?)panel["description"]))
                {
                    failures.Add($"{name}: panel '{title}' has no description (the runbooks point at panels; say what they show)");
                }

                foreach (var source in new[] { panel["datasource"] }.Concat((panel["targets"]?.AsArray() ?? []).Select(t => t?["datasource"])))
                {
                    if ((string?)source?["uid"] != "${datasource}" || (string?)source?["type"] != "prometheus")
                    {
                        failures.Add($"{name}: panel '{title}' must query the data source variable ${{datasource}}");
                    }
                }

                if (!(panel["targets"]?.AsArray() ?? []).Any())
                {
                    failures.Add($"{name}: panel '{title}' has no query");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Panels_fit_the_24_column_grid_without_overlapping()
    {
        var failures = new List<string>();
        foreach (var file in Dashboards.Files)
        {
            var placed = new List<(string Title, int X, int Y, int W, int H)>();
            foreach (var panel in Dashboards.Panels(Dashboards.Load(file)))
            {
                var grid = panel["gridPos"];
                var box = ((string?)panel["title"] ?? "", (int)grid!["x"]!, (int)grid["y"]!, (int)grid["w"]!, (int)grid["h"]!);
                if (box.Item2 < 0 || box.Item4 <= 0 || box.Item2 + box.Item4 > 24 || box.Item5 <= 0)
                {
                    failures.Add($"{System.IO.Path.GetFileName(file)}: panel '{box.Item1}' does not fit 24 columns");
                }

                foreach (var other in placed.Where(o => o.X < box.Item2 + box.Item4 && box.Item2 < o.X + o.W && o.Y < box.Item3 + box.Item5 && box.Item3 < o.Y + o.H))
                {
                    failures.Add($"{System.IO.Path.GetFileName(file)}: panel '{box.Item1}' overlaps '{other.Title}'");
                }

                placed.Add(box);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Every_service_dashboard_queries_only_its_own_service_and_filters_by_namespace()
    {
        var failures = new List<string>();
        foreach (var query in Dashboards.Queries)
        {
            var service = System.IO.Path.GetFileNameWithoutExtension(query.Dashboard);
            if (query.Dashboard != "platform-overview.json" && !query.IsVariable && !query.Query.Contains($"job=\"{service}\"", StringComparison.Ordinal))
            {
                failures.Add($"{query}: does not select job=\"{service}\": {query.Query}");
            }

            if (!query.Query.Contains("namespace", StringComparison.Ordinal))
            {
                failures.Add($"{query}: does not filter by the namespace variable: {query.Query}");
            }
        }

        Assert.NotEmpty(Dashboards.Queries);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Every_dashboard_query_is_valid_promql()
    {
        // promtool has no bare query parser in this version; recording rules are parsed by the same PromQL parser.
        var folder = Directory.CreateTempSubdirectory("dashboard-queries-");
        try
        {
            var rules = new YamlSequenceNode();
            var index = 0;
            foreach (var query in Dashboards.Queries)
            {
                rules.Add(new YamlMappingNode
                {
                    { "record", $"dashboard:query_{index++}" },
                    { "expr", PromQl.ForPromtool(query.Query) },
                });
            }

            var document = new YamlMappingNode { { "groups", new YamlSequenceNode(new YamlMappingNode { { "name", "dashboards" }, { "rules", rules } }) } };
            using (var writer = new StreamWriter(System.IO.Path.Combine(folder.FullName, "queries.yaml")))
            {
                new YamlStream(new YamlDocument(document)).Save(writer, assignAnchors: false);
            }

            var result = Promtool.Run(folder.FullName, "check", "rules", "queries.yaml");
            var where = string.Join('\n', Dashboards.Queries.Select((q, i) => $"dashboard:query_{i} = {q}"));
            Assert.True(result.Succeeded, $"{result.Output}\n{where}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_kustomization_ships_every_dashboard_as_a_configmap_the_grafana_sidecar_picks_up()
    {
        var kustomization = Yaml.LoadMapping(System.IO.Path.Combine(Repository.DashboardsFolder, "kustomization.yaml"));
        var options = Yaml.Child(kustomization, "generatorOptions");
        Assert.Equal("1", Yaml.StringMap(options, "labels").GetValueOrDefault("grafana_dashboard"));
        Assert.Equal("true", Yaml.Scalar(options, "disableNameSuffixHash"));

        var generators = Yaml.Sequence(kustomization, "configMapGenerator").Cast<YamlMappingNode>().ToList();
        var files = generators.SelectMany(g => Yaml.Sequence(g, "files").Cast<YamlScalarNode>().Select(f => f.Value!)).ToList();
        Assert.Equal(Dashboards.Files.Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
        // One dashboard per ConfigMap: kubectl apply stores the whole object in an annotation limited to 256 KiB.
        Assert.All(generators, g => Assert.Single(Yaml.Sequence(g, "files")));
        Assert.Equal(generators.Count, generators.Select(g => Yaml.Scalar(g, "name")).Distinct().Count());
        Assert.All(Dashboards.Files, f => Assert.True(new FileInfo(f).Length < 200 * 1024, $"{f} is too large for one ConfigMap applied client-side"));

        var monitoring = Yaml.LoadMapping(System.IO.Path.Combine(Repository.MonitoringFolder, "kustomization.yaml"));
        Assert.Contains("dashboards", Yaml.Sequence(monitoring, "resources").Cast<YamlScalarNode>().Select(r => r.Value));
        Assert.Contains("platform-rules.yaml", Yaml.Sequence(monitoring, "resources").Cast<YamlScalarNode>().Select(r => r.Value));
    }

    [Fact]
    public void The_overview_leads_with_business_impact()
    {
        var overview = Dashboards.Load(System.IO.Path.Combine(Repository.DashboardsFolder, "platform-overview.json"));
        var first = Dashboards.Panels(overview).First();
        Assert.Equal("row", (string?)first["type"]);
        Assert.Equal("Business impact", (string?)first["title"]);
        var queries = Dashboards.Queries.Where(q => q.Dashboard == "platform-overview.json").Select(q => q.Query).ToList();
        Assert.Contains(queries, q => q.Contains("platform_order_oldest_unexported_age_seconds", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("flow=~\"stock.*\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("platform_messaging_dead_letters_total", StringComparison.Ordinal));
    }
}
