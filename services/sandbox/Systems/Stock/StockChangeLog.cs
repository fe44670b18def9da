using System.Globalization;

namespace Platform.Sandbox.Systems.Stock;

public sealed record StockChange(long Id, StockUpdate Update);

/// <summary>
/// The change log of each source system: every update it recorded, in the order it recorded them, under a change id that
/// only grows. Ids come from one sequence shared by all sources and are never reused, not even after
/// <see cref="Clear"/>, so a client's cursor never points into a different history.
/// </summary>
public sealed class StockChangeLog
{
    public const int IdDigits = 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<StockChange>> _logs = new(StringComparer.OrdinalIgnoreCase);
    private long _lastId;

    /// <summary>Fixed width, so the ids also sort as strings.</summary>
    public static string FormatId(long id) => id.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>A cursor is a change id (or any decimal number up to 20 digits); empty means the beginning.</summary>
    public static bool TryParseCursor(string? text, out long after)
    {
        after = 0;
        return string.IsNullOrEmpty(text)
            || (text.Length <= IdDigits && text.All(char.IsAsciiDigit) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out after));
    }

    /// <returns>The ids given to the first and the last update.</returns>
    public (long First, long Last) Append(string source, IReadOnlyList<StockUpdate> updates)
    {
        lock (_gate)
        {
            if (!_logs.TryGetValue(source, out var log))
            {
                _logs[source] = log = [];
            }

            var first = _lastId + 1;
            foreach (var update in updates)
            {
                log.Add(new StockChange(++_lastId, update));
            }

            return (first, _lastId);
        }
    }

    /// <summary>Up to <paramref name="limit"/> changes after the cursor, and whether more follow now.</summary>
    public (IReadOnlyList<StockChange> Changes, bool HasMore) Read(string source, long after, int limit)
    {
        lock (_gate)
        {
            if (!_logs.TryGetValue(source, out var log))
            {
                return ([], false);
            }

            var start = FirstAfter(log, after);
            var count = Math.Min(limit, log.Count - start);
            return (log.GetRange(start, count), start + count < log.Count);
        }
    }

    public int Count(string source)
    {
        lock (_gate)
        {
            return _logs.TryGetValue(source, out var log) ? log.Count : 0;
        }
    }

    public void Clear(string source)
    {
        lock (_gate)
        {
            _logs.Remove(source);
        }
    }

    private static int FirstAfter(List<StockChange> log, long after)
    {
        int low = 0, high = log.Count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (log[middle].Id <= after)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
