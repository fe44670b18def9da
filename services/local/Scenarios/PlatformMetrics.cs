using System.Globalization;

namespace Platform.Local.Scenarios;

/// <summary>One scrape of a service's <c>/metrics</c>, read the way a Prometheus query would read it.</summary>
public sealed class PlatformMetrics
{
    private readonly List<(string Name, string Labels, double Value)> _samples;

    public PlatformMetrics(string exposition) => _samples = Parse(exposition);

    private PlatformMetrics(List<(string Name, string Labels, double Value)> samples) => _samples = samples;

    /// <summary>
    /// What happened between an earlier scrape and this one, as <c>increase()</c> would say: counters and histogram
    /// buckets less their earlier values, so a warm-up can be left out of the figures.
    /// </summary>
    public PlatformMetrics Since(PlatformMetrics earlier)
    {
        var before = earlier._samples.GroupBy(s => (s.Name, s.Labels)).ToDictionary(g => g.Key, g => g.Last().Value);
        return new PlatformMetrics(_samples.Select(s => (s.Name, s.Labels, s.Value - before.GetValueOrDefault((s.Name, s.Labels)))).ToList());
    }

    /// <summary>Reads a service's <c>/metrics</c> once.</summary>
    public static async Task<PlatformMetrics> ScrapeAsync(Uri service, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        return new PlatformMetrics(await http.GetStringAsync(new Uri(service, "metrics"), cancellationToken));
    }

    public static double? Milliseconds(double? seconds) => seconds is null ? null : Math.Round(seconds.Value * 1000, 1);

    /// <summary>Sum of a counter over every series whose labels contain each of <paramref name="labelFilters"/> (all series when none).</summary>
    public double Counter(string name, params string[]? labelFilters) =>
        _samples.Where(s => s.Name == name && Matches(s.Labels, labelFilters)).Sum(s => s.Value);

    /// <summary>
    /// A quantile of a histogram summed over the matching series, interpolated within its bucket as
    /// <c>histogram_quantile</c> does; null when the histogram has no observations.
    /// </summary>
    public double? Quantile(string histogram, double quantile, params string[]? labelFilters)
    {
        var buckets = _samples
            .Where(s => s.Name == histogram + "_bucket" && Matches(s.Labels, labelFilters))
            .Select(s => (Upper: UpperBound(s.Labels), s.Value))
            .GroupBy(b => b.Upper)
            .Select(g => (Upper: g.Key, Count: g.Sum(b => b.Value)))
            .OrderBy(b => b.Upper)
            .ToList();
        if (buckets.Count == 0 || buckets[^1].Count == 0)
        {
            return null;
        }

        var rank = quantile * buckets[^1].Count;
        var (lower, below) = (0.0, 0.0);
        foreach (var (upper, count) in buckets)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(upper) ? lower : lower + (upper - lower) * ((rank - below) / Math.Max(count - below, 1));
            }

            (lower, below) = (upper, count);
        }

        return null;
    }

    private static bool Matches(string labels, string[]? filters) =>
        filters is null || filters.All(filter => labels.Contains(filter, StringComparison.Ordinal));

    private static double UpperBound(string labels)
    {
        var start = labels.IndexOf("le=\"", StringComparison.Ordinal) + 4;
        var le = labels[start..labels.IndexOf('"', start)];
        return le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
    }

    private static List<(string, string, double)> Parse(string text)
    {
        var samples = new List<(string, string, double)>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            if (space <= 0)
            {
                continue;
            }

            // A sample may end with a timestamp after the value: the value is the second field after the labels.
            var head = brace >= 0 ? line[..(line.IndexOf('}', StringComparison.Ordinal) + 1)] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            var rest = line[head.Length..].Trim().Split(' ');
            var name = brace >= 0 ? head[..brace] : head;
            var labels = brace >= 0 ? head[brace..] : "";
            if (double.TryParse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                samples.Add((name, labels, value));
            }
        }

        return samples;
    }
}
