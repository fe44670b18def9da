using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Platform.Deployment.Tests;

/// <summary>Paths and parsed files of the repository the tests run in: k8s/, skaffold.yaml, Dockerfiles, docs.</summary>
internal static class ClusterRepository
{
    public static readonly string[] ConsumingServices = ["catalog", "inventory", "order", "customer", "tracking"];

    public static readonly string[] Modules = [.. ConsumingServices, "sandbox"];

    // k8s/monitoring belongs to the monitoring owners (PrometheusRules, dashboards, promtool test files that are
    // not Kubernetes objects at all). Its core objects and kustomization are still checked; its custom kinds are not.
    public const string MonitoringFolder = "monitoring";

    public static string Root { get; } = FindRoot();

    public static string K8s => Path.Combine(Root, "k8s");

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    public static bool IsMonitoring(string relativePath) =>
        relativePath.StartsWith($"k8s/{MonitoringFolder}/", StringComparison.Ordinal);

    public static IEnumerable<string> ManifestFiles() =>
        Directory.Exists(K8s)
            ? Directory.EnumerateFiles(K8s, "*.*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
            : [];

    private static readonly Lazy<IReadOnlyList<ClusterDocument>> AllDocuments = new(() =>
        ManifestFiles().SelectMany(file => ClusterYaml.LoadDocuments(Relative(file), File.ReadAllText(file))).ToList());

    /// <summary>Every YAML document under k8s/, monitoring included.</summary>
    public static IReadOnlyList<ClusterDocument> Documents => AllDocuments.Value;

    /// <summary>The Kubernetes objects this folder's owners keep: everything under k8s/ but monitoring/.</summary>
    public static IEnumerable<ClusterDocument> OwnedObjects =>
        Documents.Where(d => !IsMonitoring(d.File) && d.Kind != "Kustomization");

    public static IEnumerable<ClusterDocument> OfKind(string kind) => OwnedObjects.Where(d => d.Kind == kind);

    public static ClusterDocument Single(string kind, string name)
    {
        var matches = OfKind(kind).Where(d => d.Name == name).ToList();
        Assert.True(matches.Count == 1, $"expected exactly one {kind} named '{name}' under k8s/, found {matches.Count}");
        return matches[0];
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Platform.sln above {AppContext.BaseDirectory}: the tests read the repository they are built from.");
    }
}

/// <summary>One YAML document of a manifest file, with the exact text it came from and where it starts.</summary>
internal sealed record ClusterDocument(string File, int Index, int Line, string Text, YamlNode Node)
{
    public YamlMappingNode Map => Node as YamlMappingNode
        ?? throw new InvalidOperationException($"{Where}: the document is not a mapping");

    public string? ApiVersion => ClusterYaml.Scalar(Node, "apiVersion");

    public string? Kind => ClusterYaml.Scalar(Node, "kind");

    public string? Name => ClusterYaml.Scalar(Node, "metadata", "name");

    public string? Namespace => ClusterYaml.Scalar(Node, "metadata", "namespace");

    public string Where => $"{File}:{Line} (document {Index + 1}{(Name is null ? "" : $", {Kind} {Name}")})";

    public JsonNode ToJson() => ClusterYaml.ToJson(Node);
}

internal static partial class ClusterYaml
{
    /// <summary>
    /// Splits a multi-document file and keeps each document's own text, so a strict parser's line numbers can be
    /// mapped back to the file. YamlDotNet's representation model does not record where a block mapping ends,
    /// hence the walk over parser events.
    /// </summary>
    public static IReadOnlyList<ClusterDocument> LoadDocuments(string file, string text)
    {
        var spans = new List<(long Start, long End, int Line)>();
        var parser = new Parser(new StringReader(text));
        long? start = null;
        var line = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    start = null;
                    break;
                case NodeEvent node when start is null:
                    start = node.Start.Index;
                    line = (int)node.Start.Line;
                    break;
                case DocumentEnd end when start is not null:
                    spans.Add((start.Value, end.Start.Index, line));
                    break;
            }
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        Assert.True(stream.Documents.Count == spans.Count, $"{file}: {stream.Documents.Count} documents but {spans.Count} document spans");
        return stream.Documents
            .Select((d, i) => (Node: d.RootNode, Span: spans[i]))
            .Where(d => !IsEmpty(d.Node))
            .Select((d, i) => new ClusterDocument(file, i, d.Span.Line, text[(int)d.Span.Start..(int)d.Span.End], d.Node))
            .ToList();
    }

    private static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Value: null or "" } scalar && scalar.Style == ScalarStyle.Plain;

    public static YamlNode? Child(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    public static string? Scalar(YamlNode? node, params string[] path) => (Child(node, path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(YamlNode? node, params string[] path) =>
        Child(node, path) is YamlSequenceNode sequence ? sequence.Children : [];

    public static IEnumerable<KeyValuePair<string, YamlNode>> Entries(YamlNode? node, params string[] path) =>
        Child(node, path) is YamlMappingNode map
            ? map.Children.Select(c => new KeyValuePair<string, YamlNode>(((YamlScalarNode)c.Key).Value ?? "", c.Value))
            : [];

    /// <summary>
    /// YAML to JSON with the YAML 1.2 core schema, the one Kubernetes uses: a plain <c>3</c> is a number and a
    /// plain <c>false</c> a boolean, while anything quoted stays a string. A schema then sees the types the API
    /// server would see, so <c>value: "true"</c> and <c>value: true</c> are told apart.
    /// </summary>
    public static JsonNode ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c =>
            new KeyValuePair<string, JsonNode?>(((YamlScalarNode)c.Key).Value ?? "", ToJsonOrNull(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJsonOrNull).ToArray()),
        YamlScalarNode scalar => ScalarToJson(scalar) ?? JsonValue.Create((string?)null)!,
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType} at line {node.Start.Line}"),
    };

    private static JsonNode? ToJsonOrNull(YamlNode node) => node is YamlScalarNode scalar ? ScalarToJson(scalar) : ToJson(node);

    private static JsonNode? ScalarToJson(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return JsonValue.Create(value);
        }

        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (value is "true" or "True" or "TRUE")
        {
            return JsonValue.Create(true);
        }

        if (value is "false" or "False" or "FALSE")
        {
            return JsonValue.Create(false);
        }

        if (IntegerPattern().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (FloatPattern().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
