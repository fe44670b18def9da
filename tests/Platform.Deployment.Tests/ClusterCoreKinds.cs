using System.Reflection;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Deployment.Tests;

/// <summary>
/// Built-in Kubernetes kinds (Namespace, NetworkPolicy, ConfigMap, Secret, ...) checked against the official client
/// models: every type the KubernetesClient package marks with <see cref="KubernetesEntityAttribute"/>, so a kind
/// added to k8s/ later is checked without touching this file.
/// </summary>
internal static class ClusterCoreKinds
{
    private static readonly IReadOnlyDictionary<string, Type> Models = typeof(V1Namespace).Assembly.GetTypes()
        .Select(type => (Type: type, Entity: type.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(t => t.Entity is not null && !string.IsNullOrEmpty(t.Entity.Kind))
        .GroupBy(t => Key(string.IsNullOrEmpty(t.Entity!.Group) ? t.Entity.ApiVersion : $"{t.Entity.Group}/{t.Entity.ApiVersion}", t.Entity.Kind))
        .ToDictionary(g => g.Key, g => g.First().Type, StringComparer.Ordinal);

    private static readonly MethodInfo StrictDeserialize = typeof(KubernetesYaml).GetMethods()
        .Single(m => m.Name == nameof(KubernetesYaml.Deserialize) && m.IsGenericMethodDefinition
            && m.GetParameters() is [{ ParameterType: var text }, { ParameterType: var strict }]
            && text == typeof(string) && strict == typeof(bool));

    public static bool TryGetModel(string? apiVersion, string? kind, out Type model) =>
        Models.TryGetValue(Key(apiVersion, kind), out model!);

    private static string Key(string? apiVersion, string? kind) => $"{apiVersion}/{kind}";

    public static T Parse<T>(ClusterDocument document) => KubernetesYaml.Deserialize<T>(document.Text, strict: true);

    /// <summary>
    /// Problems with one document, each naming the file, the line and the field; empty when the document maps onto
    /// the model completely. Two checks: a strict parse, which refuses any field the model does not have; then a
    /// round trip through the model, which must keep every key the file wrote, so nothing is silently dropped.
    /// </summary>
    public static IReadOnlyList<string> Problems(ClusterDocument document, Type model)
    {
        object parsed;
        try
        {
            parsed = StrictDeserialize.MakeGenericMethod(model).Invoke(null, [document.Text, true])
                ?? throw new InvalidOperationException("the document parsed to nothing");
        }
        catch (TargetInvocationException e) when (e.InnerException is YamlException yaml)
        {
            var line = document.Line + (int)yaml.Start.Line - 1;
            return [$"{document.File}:{line}: {document.Kind} {document.Name}: {Innermost(yaml).Message}"];
        }

        var written = KeyPaths(document.Node);
        var roundTripped = new YamlStream();
        roundTripped.Load(new StringReader(KubernetesYaml.Serialize(parsed)));
        var kept = KeyPaths(roundTripped.Documents[0].RootNode);
        return written.Except(kept, StringComparer.Ordinal)
            .Select(path => $"{document.Where}: field '{path}' is not part of {model.Name} and was dropped")
            .ToList();
    }

    private static Exception Innermost(Exception e) => e.InnerException is YamlException inner ? Innermost(inner) : e;

    private static HashSet<string> KeyPaths(YamlNode node)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        Collect(node, "", paths);
        return paths;
    }

    private static void Collect(YamlNode node, string prefix, HashSet<string> paths)
    {
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var path = $"{prefix}.{((YamlScalarNode)key).Value}";
                    paths.Add(path);
                    Collect(value, path, paths);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Collect(sequence.Children[i], $"{prefix}[{i}]", paths);
                }

                break;
        }
    }
}
