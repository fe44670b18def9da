using System.Text.RegularExpressions;

namespace Platform.Observability.Tests;

/// <summary>
/// The metric names a PromQL expression (or a Grafana query, variables included) reads. Not a parser: it removes
/// what can hold an identifier that is not a metric (strings, label matchers, ranges, grouping label lists), then
/// keeps each identifier that is not a function, an aggregation or a keyword. promtool checks the syntax itself.
/// </summary>
internal static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset",
        "atan2", "inf", "nan", "Inf", "NaN",
    };

    public static IReadOnlySet<string> MetricNames(string query)
    {
        var text = LabelValues().Replace(query, "$1");
        text = StringLiteral().Replace(text, "\"\"");
        text = LabelMatchers().Replace(text, "{}");
        text = Brackets().Replace(text, "[]");
        text = GroupingClause().Replace(text, " ");
        text = GrafanaVariable().Replace(text, " ");

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifier().Matches(text))
        {
            var rest = text.AsSpan(match.Index + match.Length).TrimStart();
            if (rest.Length > 0 && rest[0] == '(')
            {
                continue;
            }

            if (!Keywords.Contains(match.Value))
            {
                names.Add(match.Value);
            }
        }

        return names;
    }

    /// <summary>A Grafana query with its variables replaced so that promtool can parse it as PromQL.</summary>
    public static string ForPromtool(string query)
    {
        var text = LabelValues().Replace(query, "$1");
        text = RangeVariable().Replace(text, "5m");
        return GrafanaVariable().Replace(text, ".*");
    }

    // Grafana's label_values(<selector>, <label>): only the selector is PromQL.
    [GeneratedRegex(@"label_values\(\s*(.*?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)", RegexOptions.Singleline)]
    private static partial Regex LabelValues();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\[\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")]
    private static partial Regex GroupingClause();

    [GeneratedRegex(@"\$__(?:rate_interval|interval|range)\b|\$\{__(?:rate_interval|interval|range)\}")]
    private static partial Regex RangeVariable();

    [GeneratedRegex(@"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex GrafanaVariable();

    // Not preceded by a word character or a dot, so the "m" of 5m, the "e3" of 1e3 and the tail of a float are skipped.
    [GeneratedRegex(@"(?<![\w.:$])[A-Za-z_:][A-Za-z0-9_:]*")]
    private static partial Regex Identifier();
}
