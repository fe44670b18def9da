using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Deployment.Tests;

/// <summary>A values key as written in values.yaml: its dotted path, the comment block above it, and its value.</summary>
public sealed record ChartValueKey(string Path, int Line, IReadOnlyList<string> CommentLines, YamlNode Value)
{
    /// <summary>helm-docs style: the comment block above the key has a line starting with "# --".</summary>
    public bool IsDocumented => CommentLines.Any(line => line.StartsWith("# --", StringComparison.Ordinal) && line.Length > "# --".Length + 1);

    /// <summary>A leaf for documentation purposes: anything but a mapping that has keys of its own.</summary>
    public bool IsLeaf => Value is not YamlMappingNode { Children.Count: > 0 };
}

/// <summary>
/// Reads values files the way Helm sees them. Helm turns YAML into JSON before validating against
/// values.schema.json, so plain scalars are resolved to null, booleans and numbers and quoted scalars stay strings.
/// </summary>
public static partial class ChartYaml
{
    public static YamlNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? new YamlMappingNode() : stream.Documents[0].RootNode;
    }

    public static JToken ToJson(string yaml) => ToJson(Load(yaml));

    public static JToken ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JObject(mapping.Children.Select(pair => new JProperty(((YamlScalarNode)pair.Key).Value ?? "", ToJson(pair.Value)))),
        YamlSequenceNode sequence => new JArray(sequence.Children.Select(ToJson)),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new NotSupportedException($"YAML node {node.NodeType} at line {node.Start.Line} is not supported in values files."),
    };

    /// <summary>Every mapping key outside lists, in file order, with the comment lines directly above it.</summary>
    public static IReadOnlyList<ChartValueKey> Keys(string yaml)
    {
        var lines = yaml.Split('\n').Select(line => line.TrimEnd('\r')).ToArray();
        var keys = new List<ChartValueKey>();
        if (Load(yaml) is YamlMappingNode root)
        {
            CollectKeys(root, "", lines, keys);
        }

        return keys;
    }

    /// <summary>Helm's coalescing of a parent chart's section over a subchart's values: maps merge, everything else is replaced, null removes.</summary>
    public static JToken Merge(JToken defaults, JToken overrides)
    {
        if (defaults is not JObject defaultObject || overrides is not JObject overrideObject)
        {
            return overrides.DeepClone();
        }

        var merged = (JObject)defaultObject.DeepClone();
        foreach (var property in overrideObject.Properties())
        {
            if (property.Value.Type == JTokenType.Null)
            {
                merged.Remove(property.Name);
            }
            else if (merged[property.Name] is { } existing)
            {
                merged[property.Name] = Merge(existing, property.Value);
            }
            else
            {
                merged[property.Name] = property.Value.DeepClone();
            }
        }

        return merged;
    }

    /// <summary>A copy of <paramref name="values"/> with the value at a dotted path (list items as [n]) replaced.</summary>
    public static JToken With(JToken values, string path, JToken? replacement)
    {
        var copy = values.DeepClone();
        var segments = PathSegments().Matches(path).Select(match => match.Value).ToList();
        JToken current = copy;
        for (var index = 0; index < segments.Count - 1; index++)
        {
            current = Step(current, segments[index], create: true);
        }

        var last = segments[^1];
        if (last.StartsWith('['))
        {
            var array = (JArray)current;
            var position = int.Parse(last[1..^1], CultureInfo.InvariantCulture);
            array[position] = replacement ?? JValue.CreateNull();
        }
        else if (replacement is null)
        {
            ((JObject)current).Remove(last);
        }
        else
        {
            current[last] = replacement;
        }

        return copy;
    }

    private static JToken Step(JToken current, string segment, bool create)
    {
        if (segment.StartsWith('['))
        {
            return ((JArray)current)[int.Parse(segment[1..^1], CultureInfo.InvariantCulture)];
        }

        var obj = (JObject)current;
        if (obj[segment] is not { } next)
        {
            if (!create)
            {
                throw new KeyNotFoundException(segment);
            }

            next = new JObject();
            obj[segment] = next;
        }

        return next;
    }

    private static void CollectKeys(YamlMappingNode mapping, string prefix, string[] lines, List<ChartValueKey> keys)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = ((YamlScalarNode)keyNode).Value ?? "";
            var path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            var line = (int)keyNode.Start.Line;
            keys.Add(new ChartValueKey(path, line, CommentBlockAbove(lines, line), valueNode));

            // Keys inside list items describe one entry (a peer, a secret reference), not a value of the chart.
            if (valueNode is YamlMappingNode child)
            {
                CollectKeys(child, path, lines, keys);
            }
        }
    }

    private static List<string> CommentBlockAbove(string[] lines, int oneBasedLine)
    {
        var block = new List<string>();
        for (var index = oneBasedLine - 2; index >= 0; index--)
        {
            var text = lines[index].Trim();
            if (!text.StartsWith('#'))
            {
                break;
            }

            block.Insert(0, text);
        }

        return block;
    }

    private static JToken Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return new JValue(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return JValue.CreateNull();
        }

        if (text is "true" or "True" or "TRUE")
        {
            return new JValue(true);
        }

        if (text is "false" or "False" or "FALSE")
        {
            return new JValue(false);
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return new JValue(integer);
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new JValue(number);
        }

        return new JValue(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"[^.\[\]]+|\[[0-9]+\]")]
    private static partial Regex PathSegments();
}
