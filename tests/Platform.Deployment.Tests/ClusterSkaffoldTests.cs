using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Platform.Deployment.Tests;

/// <summary>
/// skaffold.yaml without a skaffold binary: its shape against the v4beta11 schema, its modules against the
/// Dockerfiles and charts they name, and every value it sets against the values the charts declare.
/// </summary>
public sealed partial class ClusterSkaffoldTests
{
    private static readonly Lazy<IReadOnlyList<ClusterDocument>> Configs = new(() =>
        ClusterYaml.LoadDocuments("skaffold.yaml", ClusterRepository.Read("skaffold.yaml")));

    private static ClusterDocument Config(string name) => Assert.Single(Configs.Value, c => c.Name == name);

    public static TheoryData<string> Modules => new(ClusterRepository.Modules);

    public static TheoryData<string> Services => new(ClusterRepository.ConsumingServices);

    [Fact]
    public void Every_config_matches_the_skaffold_v4beta11_schema()
    {
        var problems = Configs.Value.SelectMany(ClusterManifestTests.SchemaProblems).ToList();

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_five_services_and_the_sandbox_are_modules()
    {
        var names = Configs.Value.Select(c => ClusterYaml.Scalar(c.Node, "metadata", "name")).ToHashSet();

        Assert.Superset(new HashSet<string?>(ClusterRepository.Modules), names);
        Assert.Equal(names.Count, Configs.Value.Count);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void A_module_builds_its_own_image_from_its_own_Dockerfile_with_the_repository_as_context(string module)
    {
        var artifact = Assert.Single(ClusterYaml.Items(Config(module).Node, "build", "artifacts"));
        var dockerfile = ClusterYaml.Scalar(artifact, "docker", "dockerfile");

        Assert.Equal($"platform/{module}", ClusterYaml.Scalar(artifact, "image"));
        Assert.Equal(".", ClusterYaml.Scalar(artifact, "context"));
        Assert.Equal($"services/{module}/Dockerfile", dockerfile);
        Assert.True(File.Exists(Path.Combine(ClusterRepository.Root, dockerfile!)), $"{dockerfile} does not exist");
        Assert.Equal("true", ClusterYaml.Scalar(Config(module).Node, "build", "local", "useBuildkit"));
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void A_module_deploys_its_own_chart_with_the_image_it_built(string module)
    {
        var release = Assert.Single(ClusterYaml.Items(Config(module).Node, "deploy", "helm", "releases"));
        var chart = ClusterYaml.Scalar(release, "chartPath");

        Assert.Equal($"charts/{module}", chart);
        Assert.True(File.Exists(Path.Combine(ClusterRepository.Root, chart!, "Chart.yaml")), $"{chart}/Chart.yaml does not exist");
        Assert.Equal($"{{{{.IMAGE_REPO_platform_{module}}}}}", ClusterYaml.Scalar(release, "setValueTemplates", "image.repository"));
        Assert.Equal($"{{{{.IMAGE_TAG_platform_{module}}}}}", ClusterYaml.Scalar(release, "setValueTemplates", "image.tag"));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void A_service_module_brings_the_sandbox_along(string service)
    {
        var required = ClusterYaml.Items(Config(service).Node, "requires")
            .SelectMany(r => ClusterYaml.Items(r, "configs"))
            .Select(c => ((YamlScalarNode)c).Value);

        Assert.Contains("sandbox", required);
        Assert.Null(ClusterYaml.Child(Config("sandbox").Node, "requires"));
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void The_local_profile_keeps_images_on_the_machine_and_runs_in_memory(string module)
    {
        var patches = Profile(Config(module), "local");

        Assert.Contains(patches, p => ClusterYaml.Scalar(p, "path") == "/build/local/push" && ClusterYaml.Scalar(p, "value") == "false");
        var values = patches.Single(p => ClusterYaml.Scalar(p, "path") == "/deploy/helm/releases/0/setValues");
        Assert.Equal("InMemory", ClusterYaml.Scalar(values, "value", "bus.provider"));
        Assert.Equal("InMemory", ClusterYaml.Scalar(values, "value", "state.provider"));
        Assert.Equal("false", ClusterYaml.Scalar(values, "value", "serviceMonitor.enabled"));
    }

    [Fact]
    public void The_platform_profile_deploys_the_umbrella_chart_once_and_the_modules_only_build()
    {
        var platform = Config("platform");
        var required = ClusterYaml.Items(platform.Node, "requires").SelectMany(r => ClusterYaml.Items(r, "configs")).Select(c => ((YamlScalarNode)c).Value);
        Assert.Equal(ClusterRepository.Modules.Order(), required.Order());
        Assert.Empty(ClusterYaml.Items(platform.Node, "deploy", "helm", "releases"));

        var umbrella = Assert.Single(Profile(platform, "platform"), p => ClusterYaml.Scalar(p, "path") == "/deploy/helm/releases/-");
        Assert.Equal("charts/platform", ClusterYaml.Scalar(umbrella, "value", "chartPath"));
        Assert.True(File.Exists(Path.Combine(ClusterRepository.Root, "charts/platform/Chart.yaml")));
        foreach (var module in ClusterRepository.Modules)
        {
            Assert.Equal($"{{{{.IMAGE_REPO_platform_{module}}}}}", ClusterYaml.Scalar(umbrella, "value", "setValueTemplates", $"{module}.image.repository"));
            var ownRelease = Assert.Single(Profile(Config(module), "platform"));
            Assert.Equal("/deploy/helm/releases", ClusterYaml.Scalar(ownRelease, "path"));
            Assert.Empty(((YamlSequenceNode)ClusterYaml.Child(ownRelease, "value")!).Children);
        }
    }

    [Fact]
    public void Every_config_names_its_deployer_so_skaffold_never_falls_back_to_applying_k8s_yaml()
    {
        Assert.All(Configs.Value, c => Assert.True(ClusterYaml.Child(c.Node, "deploy", "helm") is not null, $"{c.Where}: no deploy.helm"));
    }

    [Fact]
    public void Every_image_template_names_an_artifact_this_file_builds()
    {
        var artifacts = Configs.Value.SelectMany(c => ClusterYaml.Items(c.Node, "build", "artifacts"))
            .Select(a => Unsafe().Replace(ClusterYaml.Scalar(a, "image")!, "_"))
            .ToHashSet(StringComparer.Ordinal);
        var referenced = ImageTemplate().Matches(ClusterRepository.Read("skaffold.yaml")).Select(m => m.Groups["artifact"].Value).ToList();

        Assert.NotEmpty(referenced);
        Assert.Empty(referenced.Except(artifacts));
    }

    [Fact]
    public void Every_value_skaffold_sets_is_a_value_the_chart_declares()
    {
        var failures = new List<string>();
        foreach (var config in Configs.Value)
        {
            var releases = ClusterYaml.Items(config.Node, "deploy", "helm", "releases").ToList();
            var patches = ClusterYaml.Items(config.Node, "profiles").SelectMany(p => ClusterYaml.Items(p, "patches")).ToList();
            releases.AddRange(patches.Where(p => ClusterYaml.Scalar(p, "path") == "/deploy/helm/releases/-").Select(p => ClusterYaml.Child(p, "value")!));
            foreach (var release in releases)
            {
                var chart = ClusterYaml.Scalar(release, "chartPath")!;
                var keys = ClusterYaml.Entries(release, "setValueTemplates").Concat(ClusterYaml.Entries(release, "setValues")).Select(e => e.Key);
                failures.AddRange(keys.Where(k => !ChartDeclares(chart, k)).Select(k => $"{config.Where}: {chart} has no value '{k}'"));
            }

            var firstRelease = ClusterYaml.Scalar(releases.FirstOrDefault(), "chartPath");
            foreach (var patch in patches.Where(p => ClusterYaml.Scalar(p, "path") == "/deploy/helm/releases/0/setValues"))
            {
                var keys = ClusterYaml.Entries(patch, "value").Select(e => e.Key);
                failures.AddRange(keys.Where(k => firstRelease is null || !ChartDeclares(firstRelease, k)).Select(k => $"{config.Where}: {firstRelease} has no value '{k}'"));
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Every_profile_patch_points_at_a_place_that_exists_in_its_config()
    {
        var failures = new List<string>();
        foreach (var config in Configs.Value)
        {
            foreach (var patch in ClusterYaml.Items(config.Node, "profiles").SelectMany(p => ClusterYaml.Items(p, "patches")))
            {
                var path = ClusterYaml.Scalar(patch, "path")!;
                var op = ClusterYaml.Scalar(patch, "op") ?? "replace";
                var segments = path.Split('/')[1..];
                var mustExist = op == "add" ? segments[..^1] : segments;
                if (Resolve(config.Node, mustExist) is null)
                {
                    failures.Add($"{config.Where}: patch '{op} {path}' needs /{string.Join('/', mustExist)}, which the config does not have");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private static List<YamlNode> Profile(ClusterDocument config, string name)
    {
        var profile = Assert.Single(ClusterYaml.Items(config.Node, "profiles"), p => ClusterYaml.Scalar(p, "name") == name);
        return ClusterYaml.Items(profile, "patches").ToList();
    }

    // A key of the chart itself, or "<service>.<key>" of a service chart the umbrella depends on.
    private static bool ChartDeclares(string chart, string key)
    {
        if (Resolve(ChartValues(chart), key.Split('.')) is not null)
        {
            return true;
        }

        var subchart = key.Split('.', 2);
        return chart == "charts/platform" && subchart.Length == 2 && ClusterRepository.Modules.Contains(subchart[0])
            && Resolve(ChartValues($"charts/{subchart[0]}"), subchart[1].Split('.')) is not null;
    }

    private static YamlNode ChartValues(string chart) =>
        ClusterManifestTests.Document($"{chart}/values.yaml", ClusterRepository.Read($"{chart}/values.yaml")).Node;

    private static YamlNode? Resolve(YamlNode? node, IEnumerable<string> path)
    {
        foreach (var segment in path)
        {
            node = node switch
            {
                YamlMappingNode => ClusterYaml.Child(node, segment),
                YamlSequenceNode sequence when segment == "-" => sequence,
                YamlSequenceNode sequence when int.TryParse(segment, out var index) && index < sequence.Children.Count => sequence.Children[index],
                _ => null,
            };
        }

        return node;
    }

    [GeneratedRegex(@"\{\{\.IMAGE_(?:FULLY_QUALIFIED|REPO_NO_DOMAIN|REPO|TAG|DIGEST|DOMAIN)_(?<artifact>[A-Za-z0-9_]+)\}\}")]
    private static partial Regex ImageTemplate();

    // Skaffold's template keys cannot hold '/', '-' or '.', so artifact names are written with '_' in their place.
    [GeneratedRegex(@"[/.\-]")]
    private static partial Regex Unsafe();
}
