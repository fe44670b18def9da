using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Platform.Deployment.Tests;

/// <summary>
/// Validates values against a chart's values.schema.json and reports each problem as one line an operator can act
/// on: the values path first, then what is wrong, e.g. "replicaCount: must be an integer (was \"two\")".
/// </summary>
public static partial class ChartSchemaValidation
{
    private static readonly ConcurrentDictionary<string, JsonSchema> Schemas = new(StringComparer.Ordinal);

    public static JsonSchema SchemaOf(string chart) =>
        Schemas.GetOrAdd(chart, name => JsonSchema.FromJsonAsync(ChartFiles.ReadChartFile(name, "values.schema.json")).GetAwaiter().GetResult());

    public static JToken DefaultValues(string chart) => ChartYaml.ToJson(ChartFiles.ReadChartFile(chart, "values.yaml"));

    /// <summary>Problems of <paramref name="values"/> for <paramref name="chart"/>; for the umbrella, each service section is also checked by its chart's schema as Helm does after merging.</summary>
    public static IReadOnlyList<string> Validate(string chart, JToken values)
    {
        var problems = Describe(SchemaOf(chart).Validate(values), values, prefix: "");
        if (chart != ChartFiles.UmbrellaChart || values is not JObject umbrella)
        {
            return problems;
        }

        var all = new List<string>(problems);
        foreach (var service in ChartFiles.ServiceCharts)
        {
            if (umbrella[service] is not JObject section)
            {
                continue;
            }

            // Helm hands a subchart its section of the parent's values plus the parent's globals.
            var handed = (JObject)section.DeepClone();
            if (umbrella["global"] is { } global)
            {
                handed["global"] = global.DeepClone();
            }

            var merged = ChartYaml.Merge(DefaultValues(service), handed);
            all.AddRange(Describe(SchemaOf(service).Validate(merged), merged, prefix: service + "."));
        }

        return all;
    }

    private static List<string> Describe(IEnumerable<ValidationError> errors, JToken values, string prefix)
    {
        var lines = new List<string>();
        foreach (var error in errors)
        {
            // "Array item not valid" only says that something inside the item is wrong; its children say what.
            if (error is ChildSchemaValidationError { Kind: ValidationErrorKind.ArrayItemNotValid } item)
            {
                lines.AddRange(Describe(item.Errors.Values.SelectMany(list => list), values, prefix));
                continue;
            }

            lines.Add(Describe(error, values, prefix));
        }

        return lines;
    }

    private static string Describe(ValidationError error, JToken values, string prefix)
    {
        var path = prefix + ValuesPath(error.Path);
        var shownPath = path.Length == 0 ? "(top level)" : path.TrimEnd('.');
        var actual = Actual(values, error.Path);
        var message = error.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => "is not a known value (check the spelling against README.md)",
            ValidationErrorKind.AdditionalPropertiesNotValid => "is not allowed here: " + ChildReasons(error),
            ValidationErrorKind.IntegerExpected => "must be an integer",
            ValidationErrorKind.StringExpected => "must be a string",
            ValidationErrorKind.BooleanExpected => "must be true or false",
            ValidationErrorKind.NumberExpected => "must be a number",
            ValidationErrorKind.ArrayExpected => "must be a list",
            ValidationErrorKind.ObjectExpected => "must be a map",
            ValidationErrorKind.NoTypeValidates => "has the wrong type or format",
            ValidationErrorKind.NumberTooSmall => $"must be at least {error.Schema?.Minimum ?? error.Schema?.ExclusiveMinimum}",
            ValidationErrorKind.NumberTooBig => $"must be at most {error.Schema?.Maximum ?? error.Schema?.ExclusiveMaximum}",
            ValidationErrorKind.StringTooShort => error.Schema?.MinLength == 1 ? "must not be empty" : $"must have at least {error.Schema?.MinLength} characters",
            ValidationErrorKind.StringTooLong => $"must have at most {error.Schema?.MaxLength} characters",
            ValidationErrorKind.PatternMismatch => $"must match {error.Schema?.Pattern}",
            ValidationErrorKind.NotInEnumeration => "must be one of " + string.Join(", ", error.Schema?.Enumeration.Select(value => value is string text ? $"\"{text}\"" : value?.ToString()) ?? []),
            ValidationErrorKind.PropertyRequired => "is required",
            ValidationErrorKind.TooFewItems => $"must have at least {error.Schema?.MinItems} entries",
            ValidationErrorKind.TooManyItems => $"must have at most {error.Schema?.MaxItems} entries",
            ValidationErrorKind.ExcludedSchemaValidates => error.Schema?.Description ?? "is not allowed",
            ValidationErrorKind.NotAnyOf or ValidationErrorKind.NotOneOf => "must satisfy one of: " + BranchDescriptions(error) + " (" + ChildReasons(error) + ")",
            _ => SplitWords().Replace(error.Kind.ToString(), " $1").Trim().ToLowerInvariant(),
        };

        // A secret-looking value is never echoed, even in a test failure: it may be a real one pasted by mistake.
        var shown = actual is null || SecretLooking().IsMatch(shownPath) ? "" : $" (was {Compact(actual)})";
        return $"{shownPath}: {message}{shown}";
    }

    private static string BranchDescriptions(ValidationError error) =>
        error is ChildSchemaValidationError child
            ? string.Join(" | ", child.Errors.Keys.Select(branch => branch.Description ?? "another shape"))
            : "another shape";

    private static string ChildReasons(ValidationError error) =>
        error is ChildSchemaValidationError child
            ? string.Join("; ", Describe(child.Errors.Values.SelectMany(list => list), new JObject(), ""))
            : error.Kind.ToString();

    private static string ValuesPath(string? schemaPath) => (schemaPath ?? "").TrimStart('#').TrimStart('/');

    private static JToken? Actual(JToken values, string? schemaPath)
    {
        var path = ValuesPath(schemaPath);
        if (path.Length == 0)
        {
            return null;
        }

        try
        {
            return values.SelectToken(path, errorWhenNoMatch: false) is { } token && token.Type is not (JTokenType.Object or JTokenType.Array)
                ? token
                : null;
        }
        catch (Newtonsoft.Json.JsonException)
        {
            // Keys with ':' or '.' (settings) are not valid JSON paths; the message still names them.
            return null;
        }
    }

    private static string Compact(JToken token) => token.ToString(Newtonsoft.Json.Formatting.None);

    [GeneratedRegex("([A-Z])")]
    private static partial Regex SplitWords();

    [GeneratedRegex("(?i)(password|secret|token|connectionstring|credential|keyhash)")]
    private static partial Regex SecretLooking();
}
