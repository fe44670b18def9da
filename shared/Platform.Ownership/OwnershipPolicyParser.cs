using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Ownership;

// Reads the YAML node by node instead of deserialising into classes: that way every problem in the
// file is collected (with its line) and reported together, rather than stopping at the first.
internal static partial class OwnershipPolicyParser
{
    private static readonly string[] TopLevelKeys = ["version", "systems", "objects", "owners"];

    public static OwnershipPolicy Parse(string yaml, string source, string fingerprint)
    {
        var problems = new List<string>();
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
        }
        catch (YamlException exception)
        {
            var reason = exception.InnerException?.Message ?? exception.Message;
            throw new OwnershipPolicyException(source, [$"line {exception.Start.Line}, column {exception.Start.Column}: {StripMark(reason)}"]);
        }
        catch (InvalidOperationException exception)
        {
            // Some malformed inputs (e.g. an unclosed flow sequence) trip the scanner itself instead of
            // producing a YamlException; there is no position to report then.
            throw new OwnershipPolicyException(source, [$"the file is not valid YAML ({exception.Message})"]);
        }

        if (root is null)
        {
            throw new OwnershipPolicyException(source, ["the policy must be a mapping with systems, objects and owners"]);
        }

        foreach (var key in root.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name } || !TopLevelKeys.Contains(name))
            {
                problems.Add($"unknown key '{Text(key)}'{At(key)}; expected {string.Join(", ", TopLevelKeys)}");
            }
        }

        if (Child(root, "version") is { } version && Text(version) != "1")
        {
            problems.Add($"version {Text(version)} is not supported{At(version)}; this build reads version 1");
        }

        var systems = ReadSystems(root, problems);
        var objects = ReadObjects(root, problems);
        var ownersByField = ReadOwners(root, systems, objects, problems);

        var resolved = new List<(string Object, IReadOnlyList<(string Field, string Owner)> Fields)>();
        foreach (var (objectName, fields) in objects)
        {
            var resolvedFields = new List<(string Field, string Owner)>();
            foreach (var field in fields)
            {
                var owners = ownersByField.GetValueOrDefault((objectName, field)) ?? [];
                switch (owners.Count)
                {
                    case 0:
                        problems.Add($"{objectName}.{field} has no owner");
                        break;
                    case 1:
                        resolvedFields.Add((field, owners[0]));
                        break;
                    default:
                        problems.Add($"{objectName}.{field} is owned by {JoinOwners(owners)}");
                        break;
                }
            }

            resolved.Add((objectName, resolvedFields));
        }

        if (problems.Count > 0)
        {
            throw new OwnershipPolicyException(source, problems);
        }

        return new OwnershipPolicy(source, fingerprint, systems, resolved);
    }

    private static List<string> ReadSystems(YamlMappingNode root, List<string> problems)
    {
        var systems = new List<string>();
        if (Child(root, "systems") is not YamlSequenceNode sequence)
        {
            problems.Add("systems must be a list of the systems that may write, e.g. [magento, pim, erp]");
            return systems;
        }

        foreach (var node in sequence)
        {
            if (ReadName(node, "system", problems) is not { } system)
            {
                continue;
            }

            if (systems.Contains(system))
            {
                problems.Add($"system {system} is declared twice{At(node)}");
                continue;
            }

            systems.Add(system);
        }

        if (sequence.Children.Count == 0)
        {
            problems.Add("systems is empty");
        }

        return systems;
    }

    private static List<(string Object, List<string> Fields)> ReadObjects(YamlMappingNode root, List<string> problems)
    {
        var objects = new List<(string Object, List<string> Fields)>();
        if (Child(root, "objects") is not YamlMappingNode mapping)
        {
            problems.Add("objects must map each object to its fields, e.g. product: [sku, name]");
            return objects;
        }

        foreach (var (key, value) in mapping.Children)
        {
            if (ReadName(key, "object", problems) is not { } objectName)
            {
                continue;
            }

            var fields = new List<string>();
            if (value is not YamlSequenceNode sequence || sequence.Children.Count == 0)
            {
                problems.Add($"object {objectName} must list its fields{At(value)}");
            }
            else
            {
                foreach (var node in sequence)
                {
                    if (ReadName(node, $"field of {objectName}", problems) is not { } field)
                    {
                        continue;
                    }

                    if (fields.Contains(field))
                    {
                        problems.Add($"{objectName}.{field} is declared twice{At(node)}");
                        continue;
                    }

                    fields.Add(field);
                }
            }

            objects.Add((objectName, fields));
        }

        if (mapping.Children.Count == 0)
        {
            problems.Add("objects is empty");
        }

        return objects;
    }

    private static Dictionary<(string Object, string Field), List<string>> ReadOwners(
        YamlMappingNode root,
        List<string> systems,
        List<(string Object, List<string> Fields)> objects,
        List<string> problems)
    {
        var ownersByField = new Dictionary<(string, string), List<string>>();
        if (Child(root, "owners") is not YamlMappingNode owners)
        {
            problems.Add("owners must map each system to the objects and fields it owns, e.g. pim: { product: [name] }");
            return ownersByField;
        }

        foreach (var (systemKey, ownedNode) in owners.Children)
        {
            if (ReadName(systemKey, "system", problems) is not { } system)
            {
                continue;
            }

            if (!systems.Contains(system))
            {
                problems.Add($"owners.{system}: unknown system {system}{At(systemKey)}; declared systems are {string.Join(", ", systems)}");
                continue;
            }

            if (ownedNode is not YamlMappingNode owned || owned.Children.Count == 0)
            {
                problems.Add($"owners.{system} must map objects to the fields {system} owns{At(ownedNode)}");
                continue;
            }

            foreach (var (objectKey, fieldsNode) in owned.Children)
            {
                if (ReadName(objectKey, "object", problems) is not { } objectName)
                {
                    continue;
                }

                var declaredFields = objects.FirstOrDefault(o => o.Object == objectName).Fields;
                if (declaredFields is null)
                {
                    problems.Add($"owners.{system}.{objectName}: unknown object {objectName}{At(objectKey)}");
                    continue;
                }

                if (fieldsNode is not YamlSequenceNode fields || fields.Children.Count == 0)
                {
                    problems.Add($"owners.{system}.{objectName} must list the fields {system} owns{At(fieldsNode)}");
                    continue;
                }

                var listed = new HashSet<string>();
                foreach (var fieldNode in fields)
                {
                    if (ReadName(fieldNode, $"field of {objectName}", problems) is not { } field)
                    {
                        continue;
                    }

                    if (!declaredFields.Contains(field))
                    {
                        problems.Add($"owners.{system}.{objectName}: unknown field {objectName}.{field}{At(fieldNode)}");
                        continue;
                    }

                    if (!listed.Add(field))
                    {
                        problems.Add($"owners.{system}.{objectName} lists {field} twice{At(fieldNode)}");
                        continue;
                    }

                    if (!ownersByField.TryGetValue((objectName, field), out var fieldOwners))
                    {
                        ownersByField[(objectName, field)] = fieldOwners = [];
                    }

                    fieldOwners.Add(system);
                }
            }
        }

        return ownersByField;
    }

    private static string? ReadName(YamlNode node, string what, List<string> problems)
    {
        if (node is not YamlScalarNode { Value: { Length: > 0 } name })
        {
            problems.Add($"a {what} name must be a plain word{At(node)}");
            return null;
        }

        if (!NamePattern().IsMatch(name))
        {
            problems.Add($"{what} name '{name}' must be lowercase letters, digits and '_' or '-'{At(node)}");
            return null;
        }

        return name;
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string Text(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value ?? "" : node.NodeType.ToString().ToLowerInvariant();

    private static string At(YamlNode node) => $" (line {node.Start.Line})";

    private static string JoinOwners(List<string> owners)
    {
        var sorted = owners.Distinct().Order(StringComparer.Ordinal).ToList();
        return sorted.Count == 2
            ? $"both {sorted[0]} and {sorted[1]}"
            : $"{string.Join(", ", sorted[..^1])} and {sorted[^1]}";
    }

    // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the position
    // is already reported in a friendlier form.
    private static string StripMark(string message) => MarkPrefix().Replace(message, "");

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();
}
