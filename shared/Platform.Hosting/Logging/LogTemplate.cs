using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Platform.Hosting;

/// <summary>
/// Renders a message template ("Order {OrderId} placed by {Email}") from already-redacted values. The logger's own
/// formatter cannot be used: it would print the raw e-mail before any redaction could see it.
/// </summary>
internal sealed class LogTemplate
{
    private const int MaxCachedTemplates = 2048;
    private static readonly ConcurrentDictionary<string, LogTemplate> Cache = new(StringComparer.Ordinal);

    private readonly Segment[] _segments;

    private LogTemplate(Segment[] segments) => _segments = segments;

    public static LogTemplate Parse(string template)
    {
        if (Cache.TryGetValue(template, out var cached))
        {
            return cached;
        }

        var parsed = new LogTemplate(ParseSegments(template));
        // Interpolated strings passed as templates would grow the cache without bound; past the cap, parse each time.
        if (Cache.Count < MaxCachedTemplates)
        {
            Cache.TryAdd(template, parsed);
        }

        return parsed;
    }

    public string Render(IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var builder = new StringBuilder();
        var holeIndex = 0;
        foreach (var segment in _segments)
        {
            if (segment.HoleName is null)
            {
                builder.Append(segment.Text);
                continue;
            }

            if (!TryFindValue(values, holeIndex, segment.HoleName, out var value))
            {
                builder.Append(segment.Text);
                holeIndex++;
                continue;
            }

            var formatted = FormatValue(value, segment.Format);
            if (segment.Alignment is int alignment)
            {
                formatted = alignment < 0 ? formatted.PadRight(-alignment) : formatted.PadLeft(alignment);
            }

            builder.Append(formatted);
            holeIndex++;
        }

        return builder.ToString();
    }

    // Holes bind by position like the framework's formatter; the name check guards against a state whose order differs.
    private static bool TryFindValue(IReadOnlyList<KeyValuePair<string, object?>> values, int position, string name, out object? value)
    {
        if (position < values.Count && NameMatches(values[position].Key, name))
        {
            value = values[position].Value;
            return true;
        }

        foreach (var pair in values)
        {
            if (NameMatches(pair.Key, name))
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    private static bool NameMatches(string key, string holeName) =>
        string.Equals(key.TrimStart('@', '$'), holeName, StringComparison.OrdinalIgnoreCase);

    private static string FormatValue(object? value, string? format) => value switch
    {
        null => "(null)",
        string text => text,
        IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(item => FormatValue(item, format))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static Segment[] ParseSegments(string template)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        var index = 0;
        while (index < template.Length)
        {
            var character = template[index];
            if (character == '{' && index + 1 < template.Length && template[index + 1] == '{')
            {
                literal.Append('{');
                index += 2;
                continue;
            }

            if (character == '}' && index + 1 < template.Length && template[index + 1] == '}')
            {
                literal.Append('}');
                index += 2;
                continue;
            }

            if (character == '{')
            {
                var close = template.IndexOf('}', index + 1);
                if (close < 0)
                {
                    literal.Append(template, index, template.Length - index);
                    break;
                }

                if (literal.Length > 0)
                {
                    segments.Add(Segment.Literal(literal.ToString()));
                    literal.Clear();
                }

                segments.Add(Segment.Hole(template.Substring(index, close - index + 1)));
                index = close + 1;
                continue;
            }

            literal.Append(character);
            index++;
        }

        if (literal.Length > 0)
        {
            segments.Add(Segment.Literal(literal.ToString()));
        }

        return segments.ToArray();
    }

    private sealed record Segment(string Text, string? HoleName, string? Format, int? Alignment)
    {
        public static Segment Literal(string text) => new(text, null, null, null);

        public static Segment Hole(string raw)
        {
            var body = raw[1..^1];
            string? format = null;
            int? alignment = null;

            var colon = body.IndexOf(':');
            if (colon >= 0)
            {
                format = body[(colon + 1)..];
                body = body[..colon];
            }

            var comma = body.IndexOf(',');
            if (comma >= 0)
            {
                if (int.TryParse(body[(comma + 1)..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                {
                    alignment = parsed;
                }

                body = body[..comma];
            }

            var name = body.Trim().TrimStart('@', '$');
            return new Segment(raw, name, format, alignment);
        }
    }
}
