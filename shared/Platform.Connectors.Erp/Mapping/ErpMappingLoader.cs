using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Platform.Connectors.Erp.Mapping;

// Loads a mapping from a built-in name (e.g. "erp-mapping.v1.yaml", shipped inside this assembly) or from a
// YAML or JSON file, and checks it completely before anything is sent with it.
public static partial class ErpMappingLoader
{
    public const string DefaultMapping = "erp-mapping.v1.yaml";

    private static readonly string[] TopLevelKeys =
        ["version", "transforms", ErpMappingSchema.SalesOrder, ErpMappingSchema.Cancellation, ErpMappingSchema.CreditNote];

    private static readonly string[] TransformKeys = ["skuPrefix", "skuCase", "currencyCase", "quantityDecimals"];

    private const int MaximumQuantityDecimals = 6;

    public static IReadOnlyList<string> BuiltInMappings { get; } = typeof(ErpMappingLoader).Assembly
        .GetManifestResourceNames()
        .Where(name => name.StartsWith("erp-mapping.", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();

    // A built-in name loads the built-in mapping; anything else is a file path, relative paths resolved
    // against the application's directory (where a mounted or packaged file sits, whatever the working directory).
    public static ErpMapping Load(string? mapping)
    {
        var name = string.IsNullOrWhiteSpace(mapping) ? DefaultMapping : mapping.Trim();
        if (BuiltInMappings.Contains(name))
        {
            using var stream = typeof(ErpMappingLoader).Assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            return Parse(reader.ReadToEnd(), name);
        }

        var path = Path.IsPathRooted(name) ? name : Path.Combine(AppContext.BaseDirectory, name);
        if (!File.Exists(path))
        {
            throw new ErpMappingException(name, [
                $"no file at {path}, and not a built-in mapping (built in: {string.Join(", ", BuiltInMappings)})",
            ]);
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static ErpMapping Parse(string text, string source)
    {
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
        }
        catch (YamlException exception)
        {
            throw new ErpMappingException(source, [$"line {exception.Start.Line}, column {exception.Start.Column}: not valid YAML or JSON ({exception.InnerException?.Message ?? exception.Message})"]);
        }
        catch (InvalidOperationException exception)
        {
            throw new ErpMappingException(source, [$"not valid YAML or JSON ({exception.Message})"]);
        }

        if (root is null)
        {
            throw new ErpMappingException(source, ["the mapping must be a mapping with version, transforms, salesOrder, cancellation and creditNote"]);
        }

        var problems = new List<string>();
        foreach (var key in root.Children.Keys)
        {
            if (Text(key) is not { } name || !TopLevelKeys.Contains(name))
            {
                problems.Add($"{At(key)}unknown key '{Text(key)}'; expected {string.Join(", ", TopLevelKeys)}");
            }
        }

        var version = ReadVersion(root, source, problems);
        var transforms = ReadTransforms(root, problems);
        var documents = new Dictionary<string, DocumentMapping>(StringComparer.Ordinal);
        foreach (var (document, fields) in ErpMappingSchema.Documents)
        {
            if (ReadDocument(root, document, fields, problems) is { } mapping)
            {
                documents[document] = mapping;
            }
        }

        if (problems.Count > 0)
        {
            throw new ErpMappingException(source, problems);
        }

        return new ErpMapping(version, source, transforms, documents);
    }

    private static int ReadVersion(YamlMappingNode root, string source, List<string> problems)
    {
        if (Child(root, "version") is not { } node)
        {
            problems.Add("version is missing (a positive whole number, e.g. version: 1)");
            return 0;
        }

        if (!int.TryParse(Text(node), NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            problems.Add($"{At(node)}version must be a positive whole number, found '{Text(node)}'");
            return 0;
        }

        // The file name states a version too (erp-mapping.v2.yaml); a copy edited without renaming, or the
        // other way round, would have a deployment run a different mapping than it believes it selected.
        if (FileVersionPattern().Match(Path.GetFileName(source)) is { Success: true } match
            && match.Groups["version"].Value != version.ToString(CultureInfo.InvariantCulture))
        {
            problems.Add($"{At(node)}version is {version} but the file name says v{match.Groups["version"].Value}");
        }

        return version;
    }

    private static ErpTransforms ReadTransforms(YamlMappingNode root, List<string> problems)
    {
        var defaults = new ErpTransforms("", ErpTextCase.AsIs, ErpTextCase.Upper, 4);
        if (Child(root, "transforms") is not { } node)
        {
            return defaults;
        }

        if (node is not YamlMappingNode transforms)
        {
            problems.Add($"{At(node)}transforms must be a mapping of {string.Join(", ", TransformKeys)}");
            return defaults;
        }

        foreach (var key in transforms.Children.Keys)
        {
            if (Text(key) is not { } name || !TransformKeys.Contains(name))
            {
                problems.Add($"{At(key)}transforms: unknown key '{Text(key)}'; expected {string.Join(", ", TransformKeys)}");
            }
        }

        var skuPrefix = defaults.SkuPrefix;
        if (Child(transforms, "skuPrefix") is { } prefixNode)
        {
            skuPrefix = Text(prefixNode) ?? "";
            if (prefixNode is not YamlScalarNode || skuPrefix.Any(char.IsWhiteSpace))
            {
                problems.Add($"{At(prefixNode)}transforms.skuPrefix must be text without spaces");
            }
        }

        var decimals = defaults.QuantityDecimals;
        if (Child(transforms, "quantityDecimals") is { } decimalsNode
            && (!int.TryParse(Text(decimalsNode), NumberStyles.None, CultureInfo.InvariantCulture, out decimals)
                || decimals > MaximumQuantityDecimals))
        {
            problems.Add($"{At(decimalsNode)}transforms.quantityDecimals must be a whole number from 0 to {MaximumQuantityDecimals}, found '{Text(decimalsNode)}'");
            decimals = defaults.QuantityDecimals;
        }

        return new ErpTransforms(
            skuPrefix,
            ReadCase(transforms, "skuCase", defaults.SkuCase, problems),
            ReadCase(transforms, "currencyCase", defaults.CurrencyCase, problems),
            decimals);
    }

    private static ErpTextCase ReadCase(YamlMappingNode transforms, string key, ErpTextCase fallback, List<string> problems)
    {
        if (Child(transforms, key) is not { } node)
        {
            return fallback;
        }

        switch (Text(node))
        {
            case "asIs":
                return ErpTextCase.AsIs;
            case "upper":
                return ErpTextCase.Upper;
            case "lower":
                return ErpTextCase.Lower;
            default:
                problems.Add($"{At(node)}transforms.{key} must be asIs, upper or lower, found '{Text(node)}'");
                return fallback;
        }
    }

    private static DocumentMapping? ReadDocument(
        YamlMappingNode root, string document, IReadOnlyList<NeutralField> fields, List<string> problems)
    {
        var known = string.Join(", ", fields.Select(f => f.Path));
        if (Child(root, document) is not { } node)
        {
            problems.Add($"{document} is missing; it must map every field: {known}");
            return null;
        }

        if (node is not YamlMappingNode entries)
        {
            problems.Add($"{At(node)}{document} must be a mapping from neutral field to target path");
            return null;
        }

        var mapped = new List<FieldMapping>();
        var problemsBefore = problems.Count;
        foreach (var (keyNode, valueNode) in entries.Children)
        {
            var key = Text(keyNode);
            var field = fields.FirstOrDefault(f => f.Path == key);
            if (field is null)
            {
                problems.Add($"{At(keyNode)}{document}: unknown field '{key}'; known fields: {known}");
                continue;
            }

            if (mapped.Any(m => m.Field == field))
            {
                problems.Add($"{At(keyNode)}{document}.{key} is mapped more than once");
                continue;
            }

            if (valueNode is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" })
            {
                if (field.Required)
                {
                    problems.Add($"{At(valueNode)}{document}.{key} is required and cannot be left out (~)");
                }

                mapped.Add(new FieldMapping(field, null));
                continue;
            }

            if (ParseTarget(Text(valueNode), field, out var problem) is { } target)
            {
                mapped.Add(new FieldMapping(field, target));
            }
            else
            {
                problems.Add($"{At(valueNode)}{document}.{key}: {problem}");
            }
        }

        foreach (var missing in fields.Where(f => mapped.All(m => m.Field != f) && !HasKey(entries, f.Path)))
        {
            problems.Add(missing.Required
                ? $"{At(entries)}{document}.{missing.Path} is not mapped (it is required)"
                : $"{At(entries)}{document}.{missing.Path} is not mapped (map it, or write ~ to leave it out)");
        }

        CheckCollections(document, mapped, problems);
        CheckOverlaps(document, mapped, problems);
        return problems.Count == problemsBefore ? new DocumentMapping(document, mapped) : null;
    }

    private static TargetPath? ParseTarget(string? text, NeutralField field, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the target path is empty";
            return null;
        }

        var segments = text.Split('.');
        var invalid = segments.FirstOrDefault(s => !SegmentPattern().IsMatch(s));
        if (invalid is not null)
        {
            problem = $"'{text}' is not a target path (property names of letters, digits, '_' or '-', separated by '.', one of them may end in [])";
            return null;
        }

        var arrays = segments.Count(s => s.EndsWith("[]", StringComparison.Ordinal));
        if (field.Collection is null)
        {
            if (arrays > 0)
            {
                problem = $"'{text}' puts a field that is not a line field into an array";
                return null;
            }

            return new TargetPath(text, [], segments);
        }

        var arrayIndex = Array.FindIndex(segments, s => s.EndsWith("[]", StringComparison.Ordinal));
        if (arrays != 1 || arrayIndex == segments.Length - 1)
        {
            problem = $"'{text}' must name the array the lines go into and the property inside each line, e.g. lines[].{field.ElementPath}";
            return null;
        }

        var container = segments[..(arrayIndex + 1)].ToArray();
        container[^1] = container[^1][..^2];
        return new TargetPath(text, container, segments[(arrayIndex + 1)..]);
    }

    private static void CheckCollections(string document, List<FieldMapping> mapped, List<string> problems)
    {
        foreach (var group in mapped.Where(m => m.Target is not null && m.Field.Collection is not null).GroupBy(m => m.Field.Collection!))
        {
            var containers = group.Select(m => string.Join('.', m.Target!.Container)).Distinct(StringComparer.Ordinal).ToList();
            if (containers.Count > 1)
            {
                problems.Add($"{document}: the fields of {group.Key}[] go into different arrays ({string.Join(", ", containers)}); one array holds all lines");
            }
        }
    }

    // Two fields written to the same property, or one inside the other ("shipTo" and "shipTo.country"),
    // would overwrite each other in the body.
    private static void CheckOverlaps(string document, List<FieldMapping> mapped, List<string> problems)
    {
        var placed = mapped
            .Where(m => m.Target is not null)
            .Select(m => (m.Field.Path, Location: m.Target!.Container.Concat(m.Target.Segments).ToArray(), m.Target.Text))
            .ToList();
        for (var i = 0; i < placed.Count; i++)
        {
            for (var j = i + 1; j < placed.Count; j++)
            {
                var (a, b) = (placed[i].Location, placed[j].Location);
                var shorter = Math.Min(a.Length, b.Length);
                if (a.AsSpan(0, shorter).SequenceEqual(b.AsSpan(0, shorter)))
                {
                    problems.Add($"{document}: {placed[i].Path} ({placed[i].Text}) and {placed[j].Path} ({placed[j].Text}) are written to the same place");
                }
            }
        }

        var containers = mapped.Where(m => m.Target is { Container.Count: > 0 }).Select(m => m.Target!.Container).ToList();
        foreach (var scalar in mapped.Where(m => m.Target is { Container.Count: 0 }))
        {
            var segments = scalar.Target!.Segments;
            if (containers.FirstOrDefault(c => c.Count < segments.Count && segments.Take(c.Count).SequenceEqual(c)) is { } container)
            {
                problems.Add($"{document}: {scalar.Field.Path} ({scalar.Target.Text}) is written inside the array {string.Join('.', container)} that holds the lines");
            }
        }
    }

    private static bool HasKey(YamlMappingNode node, string key) => node.Children.Keys.Any(k => Text(k) == key);

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.FirstOrDefault(pair => Text(pair.Key) == key).Value;

    private static string? Text(YamlNode node) => (node as YamlScalarNode)?.Value;

    private static string At(YamlNode node) => node.Start.Line > 0 ? $"line {node.Start.Line}: " : "";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*(\[\])?$")]
    private static partial Regex SegmentPattern();

    [GeneratedRegex(@"\.v(?<version>[0-9]+)\.(ya?ml|json)$")]
    private static partial Regex FileVersionPattern();
}
