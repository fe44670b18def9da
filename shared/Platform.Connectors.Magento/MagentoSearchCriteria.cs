using System.Globalization;
using System.Text;

namespace Platform.Connectors.Magento;

// Builds the searchCriteria query string of Magento's getList endpoints. Filters in one group are ORed,
// groups are ANDed, so every condition here gets its own group. Keys keep Magento's literal brackets
// (as its documentation writes them); values are percent-encoded.
internal sealed class MagentoSearchCriteria
{
    private readonly List<(string Field, string Value, string Condition)> _filters = [];
    private readonly List<(string Field, string Direction)> _sortOrders = [];
    private int _pageSize = 20;
    private int _currentPage = 1;

    public MagentoSearchCriteria Where(string field, string condition, DateTimeOffset value)
    {
        _filters.Add((field, FormatTimestamp(value), condition));
        return this;
    }

    public MagentoSearchCriteria Where(string field, string condition, string value)
    {
        _filters.Add((field, value, condition));
        return this;
    }

    public MagentoSearchCriteria OrderBy(string field, string direction = "ASC")
    {
        _sortOrders.Add((field, direction));
        return this;
    }

    public MagentoSearchCriteria Page(int pageSize, int currentPage)
    {
        _pageSize = pageSize;
        _currentPage = currentPage;
        return this;
    }

    // Magento compares against timestamps stored in UTC, to the second. Sub-second parts are dropped, not
    // rounded up, so a "since" never skips an order updated in the same second.
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.ToUniversalTime().ToString(MagentoOrderParser.TimestampFormat, CultureInfo.InvariantCulture);

    public string ToQueryString()
    {
        var query = new StringBuilder();
        for (var group = 0; group < _filters.Count; group++)
        {
            var (field, value, condition) = _filters[group];
            var prefix = $"searchCriteria[filter_groups][{group}][filters][0]";
            Append(query, $"{prefix}[field]", field);
            Append(query, $"{prefix}[value]", value);
            Append(query, $"{prefix}[condition_type]", condition);
        }

        for (var index = 0; index < _sortOrders.Count; index++)
        {
            Append(query, $"searchCriteria[sortOrders][{index}][field]", _sortOrders[index].Field);
            Append(query, $"searchCriteria[sortOrders][{index}][direction]", _sortOrders[index].Direction);
        }

        Append(query, "searchCriteria[pageSize]", _pageSize.ToString(CultureInfo.InvariantCulture));
        Append(query, "searchCriteria[currentPage]", _currentPage.ToString(CultureInfo.InvariantCulture));
        return query.ToString();
    }

    private static void Append(StringBuilder query, string key, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(key).Append('=').Append(Uri.EscapeDataString(value));
    }
}
