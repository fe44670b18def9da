using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.Sandbox.Systems.Magento;

public sealed record SearchFilter(string Field, string? Value, string? ConditionType);

public sealed record SearchFilterGroup(IReadOnlyList<SearchFilter> Filters);

public sealed record SearchSortOrder(string Field, string? Direction);

/// <summary>
/// Magento's <c>searchCriteria</c> query parameter, read from PHP-style bracketed keys
/// (<c>searchCriteria[filter_groups][0][filters][0][field]=updated_at</c>). Magento's web API accepts both snake_case and
/// camelCase names (<c>filterGroups</c>, <c>conditionType</c>, <c>pageSize</c>...), so this does too. Serialized, it is the
/// <c>search_criteria</c> echo of a search result.
/// </summary>
public sealed record SearchCriteria(
    IReadOnlyList<SearchFilterGroup> FilterGroups,
    IReadOnlyList<SearchSortOrder>? SortOrders,
    int? PageSize,
    int? CurrentPage)
{
    private const string Parameter = "searchCriteria";

    /// <returns>The criteria, or the 400 Magento answers for the query.</returns>
    public static (SearchCriteria? Criteria, MagentoFailure? Failure) Parse(IQueryCollection query)
    {
        // Magento requires the parameter itself; "?searchCriteria" or "?searchCriteria=" alone means "everything".
        if (!query.Keys.Any(key => key == Parameter || key.StartsWith(Parameter + "[", StringComparison.Ordinal)))
        {
            return (null, MagentoFailure.BadRequest("\"%fieldName\" is required. Enter and try again.", ("fieldName", Parameter)));
        }

        var groups = new SortedDictionary<int, SortedDictionary<int, Dictionary<string, string>>>();
        var sorts = new SortedDictionary<int, Dictionary<string, string>>();
        int? pageSize = null, currentPage = null;
        foreach (var (key, values) in query)
        {
            if (key == Parameter || !key.StartsWith(Parameter + "[", StringComparison.Ordinal))
            {
                continue;
            }

            var path = Segments(key[Parameter.Length..]);
            var value = values.ToString();
            if (path is null)
            {
                return (null, MagentoFailure.BadRequest("\"%fieldName\" is required. Enter and try again.", ("fieldName", key)));
            }

            switch (path)
            {
                case ["filtergroups", var group, "filters", var filter, var property] when IsIndex(group) && IsIndex(filter)
                    && property is "field" or "value" or "conditiontype":
                    var filters = GetOrAdd(groups, int.Parse(group, CultureInfo.InvariantCulture));
                    GetOrAdd(filters, int.Parse(filter, CultureInfo.InvariantCulture))[property] = value;
                    break;
                case ["sortorders", var index, var property] when IsIndex(index) && property is "field" or "direction":
                    GetOrAdd(sorts, int.Parse(index, CultureInfo.InvariantCulture))[property] = value;
                    break;
                case ["pagesize"]:
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var size))
                    {
                        return (null, InvalidType(value, "int"));
                    }

                    pageSize = size;
                    break;
                case ["currentpage"]:
                    if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var page))
                    {
                        return (null, InvalidType(value, "int"));
                    }

                    currentPage = page;
                    break;
                default:
                    return (null, MagentoFailure.BadRequest(
                        "Property \"%property\" does not have accessor method \"%accessor\" in class \"%class\".",
                        ("property", key), ("accessor", "set" + string.Concat(path.Select(Capitalize))), ("class", "Magento\\Framework\\Api\\SearchCriteriaInterface")));
            }
        }

        var filterGroups = new List<SearchFilterGroup>();
        foreach (var group in groups.Values)
        {
            var filters = new List<SearchFilter>();
            foreach (var filter in group.Values)
            {
                if (!filter.TryGetValue("field", out var field) || field.Length == 0)
                {
                    return (null, MagentoFailure.BadRequest("\"%fieldName\" is required. Enter and try again.", ("fieldName", "field")));
                }

                filters.Add(new SearchFilter(field, filter.GetValueOrDefault("value"), filter.GetValueOrDefault("conditiontype")));
            }

            filterGroups.Add(new SearchFilterGroup(filters));
        }

        var sortOrders = new List<SearchSortOrder>();
        foreach (var sort in sorts.Values)
        {
            var direction = sort.GetValueOrDefault("direction");
            if (direction is not null && direction.ToUpperInvariant() is not ("ASC" or "DESC"))
            {
                return (null, MagentoFailure.BadRequest("The sort order has to be specified as %1 for ascending order or %2 for descending order.", ("1", "ASC"), ("2", "DESC")));
            }

            sortOrders.Add(new SearchSortOrder(sort.GetValueOrDefault("field") ?? "", direction?.ToUpperInvariant()));
        }

        return (new SearchCriteria(filterGroups, sortOrders.Count > 0 ? sortOrders : null, pageSize, currentPage), null);
    }

    private static MagentoFailure InvalidType(string value, string type) => MagentoFailure.BadRequest(
        "The \"%value\" value's type is invalid. The \"%type\" type was expected. Verify and try again.", ("value", value), ("type", type));

    /// <summary>"[filter_groups][0][filters]" as ["filtergroups", "0", "filters"]; null when the brackets do not pair up.</summary>
    private static string[]? Segments(string brackets)
    {
        var segments = new List<string>();
        var rest = brackets.AsSpan();
        while (rest.Length > 0)
        {
            var close = rest.IndexOf(']');
            if (rest[0] != '[' || close < 1)
            {
                return null;
            }

            segments.Add(rest[1..close].ToString().Replace("_", "", StringComparison.Ordinal).ToLowerInvariant());
            rest = rest[(close + 1)..];
        }

        return segments.Count > 0 ? [.. segments] : null;
    }

    private static bool IsIndex(string segment) => segment.Length is > 0 and < 7 && segment.All(char.IsAsciiDigit);

    private static string Capitalize(string segment) => segment.Length == 0 ? segment : char.ToUpperInvariant(segment[0]) + segment[1..];

    private static TValue GetOrAdd<TValue>(SortedDictionary<int, TValue> map, int index)
        where TValue : new()
    {
        if (!map.TryGetValue(index, out var value))
        {
            map[index] = value = new TValue();
        }

        return value;
    }
}

/// <summary>An error answer of Magento's web API: the status and <c>{"message", "parameters"}</c>.</summary>
public sealed record MagentoFailure(int Status, MagentoError Error)
{
    public static MagentoFailure BadRequest(string message, params (string Name, string Value)[] parameters) =>
        new(StatusCodes.Status400BadRequest, new MagentoError(message, parameters.Length == 0 ? null : parameters.ToDictionary(p => p.Name, p => p.Value)));

    public static MagentoFailure NotFound(string message) => new(StatusCodes.Status404NotFound, new MagentoError(message));

    public static MagentoFailure NoSuchEntity { get; } =
        NotFound("The entity that was requested doesn't exist. Verify the entity and try again.");

    public IResult ToResult() => Results.Json(Error, SystemJson.SnakeCaseWithoutNulls, statusCode: Status);
}

/// <summary>
/// The columns of one Magento entity that <see cref="SearchCriteria"/> can filter and sort on. Comparison follows MySQL:
/// text compares case-insensitively, a NULL column matches nothing but <c>null</c>, and dates are the UTC
/// <c>yyyy-MM-dd HH:mm:ss</c> Magento stores.
/// </summary>
public sealed class SearchFields<T>
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
    ];

    private readonly Dictionary<string, Field> _fields = new(StringComparer.Ordinal);
    private readonly string _table;
    private readonly Comparison<T> _tieBreak;

    /// <param name="table">For the database error Magento answers when a column does not exist.</param>
    /// <param name="tieBreak">The primary key order MySQL falls back on, so equal sort keys page stably.</param>
    public SearchFields(string table, Comparison<T> tieBreak)
    {
        _table = table;
        _tieBreak = tieBreak;
    }

    private enum Kind
    {
        Number,
        Text,
        Date,
    }

    public SearchFields<T> Number(string name, Func<T, decimal?> get) => Add(name, Kind.Number, row => get(row));

    public SearchFields<T> Text(string name, Func<T, string?> get) => Add(name, Kind.Text, row => get(row));

    public SearchFields<T> Date(string name, Func<T, DateTime?> get) => Add(name, Kind.Date, row => get(row));

    /// <summary>Filters, sorts and pages <paramref name="rows"/>, which come in primary key order.</summary>
    public (List<T>? Page, int TotalCount, MagentoFailure? Failure) Run(IReadOnlyList<T> rows, SearchCriteria criteria)
    {
        var groups = new List<Func<T, bool>[]>();
        foreach (var group in criteria.FilterGroups)
        {
            var predicates = new Func<T, bool>[group.Filters.Count];
            for (var i = 0; i < predicates.Length; i++)
            {
                var (predicate, failure) = Compile(group.Filters[i]);
                if (failure is not null)
                {
                    return (null, 0, failure);
                }

                predicates[i] = predicate!;
            }

            groups.Add(predicates);
        }

        Comparison<T>? order = null;
        foreach (var sort in criteria.SortOrders ?? [])
        {
            if (!_fields.TryGetValue(sort.Field, out var field))
            {
                return (null, 0, UnknownColumn(sort.Field, "order clause"));
            }

            // Magento sorts descending unless the direction is exactly ASC (SortingProcessor), a trap for clients that omit it.
            var sign = sort.Direction == "ASC" ? 1 : -1;
            var previous = order;
            Comparison<T> current = (a, b) => sign * CompareValues(field.Get(a), field.Get(b));
            order = previous is null ? current : (a, b) => previous(a, b) is var first and not 0 ? first : current(a, b);
        }

        // Groups are ANDed, the filters inside one group ORed (so "from" and "to" in one group match everything).
        var matches = new List<T>();
        foreach (var row in rows)
        {
            if (groups.TrueForAll(group => Array.Exists(group, predicate => predicate(row))))
            {
                matches.Add(row);
            }
        }

        if (order is not null)
        {
            var byKeys = order;
            matches.Sort((a, b) => byKeys(a, b) is var result and not 0 ? result : _tieBreak(a, b));
        }

        var total = matches.Count;
        if (criteria.PageSize is not > 0)
        {
            return (matches, total, null);
        }

        // Magento's collection clamps the page into range: asking past the end returns the last page again, not an
        // empty one, so a client that pages "until empty" never stops. total_count is what tells it to.
        var pageSize = criteria.PageSize.Value;
        var lastPage = Math.Max(1, (total + pageSize - 1) / pageSize);
        var page = Math.Clamp(criteria.CurrentPage ?? 1, 1, lastPage);
        var skip = (long)(page - 1) * pageSize;
        return (matches.Skip((int)skip).Take(pageSize).ToList(), total, null);
    }

    private SearchFields<T> Add(string name, Kind kind, Func<T, object?> get)
    {
        _fields[name] = new Field(kind, get);
        return this;
    }

    private (Func<T, bool>? Predicate, MagentoFailure? Failure) Compile(SearchFilter filter)
    {
        if (!_fields.TryGetValue(filter.Field, out var field))
        {
            return (null, UnknownColumn(filter.Field, "where clause"));
        }

        var condition = string.IsNullOrEmpty(filter.ConditionType) ? "eq" : filter.ConditionType.ToLowerInvariant();
        var text = filter.Value ?? "";
        switch (condition)
        {
            case "null":
                return (row => field.Get(row) is null, null);
            case "notnull":
                return (row => field.Get(row) is not null, null);
            case "like" or "nlike":
                var pattern = new Regex(
                    "^" + Regex.Escape(text).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$",
                    RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                var wanted = condition == "like";
                return (row => field.Get(row) is { } value && pattern.IsMatch(Format(value)) == wanted, null);
            case "in" or "nin":
                var list = new List<object>();
                foreach (var item in text.Split(',', StringSplitOptions.TrimEntries))
                {
                    var (parsed, failure) = Parse(field.Kind, item, filter.Field);
                    if (failure is not null)
                    {
                        return (null, failure);
                    }

                    list.Add(parsed!);
                }

                var inList = condition == "in";
                return (row => field.Get(row) is { } value && list.Exists(item => CompareValues(value, item) == 0) == inList, null);
        }

        Func<int, bool>? test = condition switch
        {
            "eq" => c => c == 0,
            "neq" => c => c != 0,
            "gt" => c => c > 0,
            "gteq" or "from" or "moreq" => c => c >= 0,
            "lt" => c => c < 0,
            "lteq" or "to" => c => c <= 0,
            _ => null,
        };
        if (test is null)
        {
            return (null, MagentoFailure.BadRequest("Invalid condition type \"%1\" for the %2 field.", ("1", filter.ConditionType!), ("2", filter.Field)));
        }

        var (operand, invalid) = Parse(field.Kind, text, filter.Field);
        if (invalid is not null)
        {
            return (null, invalid);
        }

        return (row => field.Get(row) is { } value && test(CompareValues(value, operand!)), null);
    }

    private static (object? Value, MagentoFailure? Failure) Parse(Kind kind, string text, string fieldName)
    {
        switch (kind)
        {
            case Kind.Number when decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number):
                return (number, null);
            case Kind.Date when DateTime.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date):
                return (date, null);
            case Kind.Text:
                return (text, null);
            default:
                return (null, MagentoFailure.BadRequest("Invalid value of \"%value\" provided for the %fieldName field.", ("value", text), ("fieldName", fieldName)));
        }
    }

    private static int CompareValues(object? a, object? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (decimal x, decimal y) => x.CompareTo(y),
        (DateTime x, DateTime y) => x.CompareTo(y),
        _ => string.Compare(Format(a), Format(b), StringComparison.OrdinalIgnoreCase),
    };

    private static string Format(object value) => value switch
    {
        DateTime date => MagentoFormat.Date(date),
        decimal number => number.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    // What Magento answers (in developer mode) when the column is not in the table: the database's own error, as a 500.
    private MagentoFailure UnknownColumn(string field, string clause) => new(StatusCodes.Status500InternalServerError, new MagentoError(
        $"SQLSTATE[42S22]: Column not found: 1054 Unknown column '{field}' in '{clause}' (table {_table})"));

    private sealed record Field(Kind Kind, Func<T, object?> Get);
}
