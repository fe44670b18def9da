using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Ctl.Commands;

/// <summary>Typed values of options: durations such as 1h30m and points in time in ISO 8601.</summary>
public static partial class ValueParsers
{
    [GeneratedRegex(@"\G(?<amount>\d+(?:\.\d+)?)(?<unit>ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    /// <summary>"500ms", "30s", "15m", "1h30m", "2d"; also a .NET time span such as "00:10:00".</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }

        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero;
        }

        var position = 0;
        foreach (Match part in DurationPart().Matches(text))
        {
            var amount = double.Parse(part.Groups["amount"].Value, CultureInfo.InvariantCulture);
            duration += part.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            position = part.Index + part.Length;
        }

        return position == text.Length;
    }

    /// <summary>ISO 8601, e.g. 2026-11-01, 2026-11-01T08:00:00Z or 2026-11-01T09:00+01:00; no offset means UTC.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(
            text.Trim(),
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces,
            out time);

    /// <summary>
    /// An integer option with its range checked while parsing: a validator reading the value of an option that failed
    /// to parse (e.g. "abc") would throw instead of reporting the error.
    /// </summary>
    public static Func<ArgumentResult, int> IntegerBetween(int minimum, int maximum) => result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a whole number from {minimum} to {maximum}.");
        return minimum;
    };

    public static TimeSpan Duration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (TryParseDuration(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a duration: use e.g. 500ms, 30s, 15m, 1h30m or 2d.");
        return TimeSpan.Zero;
    }

    public static DateTimeOffset Time(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (TryParseTime(text, out var time))
        {
            return time;
        }

        result.AddError($"{OptionName(result)}: '{text}' is not a time: use ISO 8601, e.g. 2026-11-01 or 2026-11-01T08:00:00Z (UTC when no offset is given).");
        return default;
    }

    private static string OptionName(ArgumentResult result) => result.Parent is OptionResult option ? option.Option.Name : result.Argument.Name;
}
