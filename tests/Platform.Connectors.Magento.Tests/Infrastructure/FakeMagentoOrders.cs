using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Magento.Tests.Infrastructure;

// Answers GET rest/{store}/V1/orders the way Magento does for the criteria this connector sends: one
// condition per filter group (ANDed), sortOrders in order, and a currentPage past the end answered with the
// last page again. Orders can be changed between requests to reproduce concurrent updates.
internal sealed class FakeMagentoOrders
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (DateTime Created, DateTime Updated)> _orders = [];

    public void Add(long entityId, DateTime created, DateTime updated)
    {
        lock (_gate)
        {
            _orders[entityId] = (created, updated);
        }
    }

    public void Touch(long entityId, DateTime updated)
    {
        lock (_gate)
        {
            _orders[entityId] = (_orders[entityId].Created, updated);
        }
    }

    // Called after each list request was answered, with the request number.
    public Action<int>? AfterList { get; set; }

    public static string OrderJson(long entityId, DateTime created, DateTime updated) => new JsonObject
    {
        ["entity_id"] = entityId,
        ["increment_id"] = entityId.ToString("000000000", CultureInfo.InvariantCulture),
        ["store_id"] = 1,
        ["created_at"] = created.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        ["updated_at"] = updated.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        ["status"] = "pending",
        ["state"] = "new",
        ["order_currency_code"] = "USD",
        ["grand_total"] = 10,
        ["subtotal"] = 10,
        ["customer_is_guest"] = 1,
        ["items"] = new JsonArray(new JsonObject
        {
            ["item_id"] = entityId * 10,
            ["sku"] = "SKU-" + entityId.ToString(CultureInfo.InvariantCulture),
            ["product_type"] = "simple",
            ["qty_ordered"] = 1,
            ["price"] = 10,
            ["row_total"] = 10,
        }),
    }.ToJsonString();

    public async Task RespondAsync(HttpContext context, ReceivedRequest request)
    {
        if (request.Method != "GET" || !request.Path.EndsWith("/V1/orders", StringComparison.Ordinal))
        {
            await FakeRemote.WriteJsonAsync(context, 404, """{"message":"Request does not match any route."}""");
            return;
        }

        var query = QueryHelpers.ParseQuery(request.Query);
        string? Get(string key) => query.TryGetValue(key, out var value) ? value.ToString() : null;

        List<(long Id, DateTime Created, DateTime Updated)> rows;
        lock (_gate)
        {
            rows = _orders.Select(o => (o.Key, o.Value.Created, o.Value.Updated)).ToList();
        }

        for (var group = 0; Get($"searchCriteria[filter_groups][{group}][filters][0][field]") is { } field; group++)
        {
            var prefix = $"searchCriteria[filter_groups][{group}][filters][0]";
            var value = DateTime.ParseExact(Get(prefix + "[value]")!, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var condition = Get(prefix + "[condition_type]");
            rows = rows.Where(r =>
            {
                var actual = field == "updated_at" ? r.Updated : r.Created;
                return condition switch
                {
                    "gteq" => actual >= value,
                    "lt" => actual < value,
                    _ => throw new InvalidOperationException($"condition {condition} not simulated"),
                };
            }).ToList();
        }

        IOrderedEnumerable<(long Id, DateTime Created, DateTime Updated)>? sorted = null;
        for (var index = 0; Get($"searchCriteria[sortOrders][{index}][field]") is { } field; index++)
        {
            Func<(long Id, DateTime Created, DateTime Updated), object> key = field switch
            {
                "updated_at" => r => r.Updated,
                "created_at" => r => r.Created,
                "entity_id" => r => r.Id,
                _ => throw new InvalidOperationException($"sort field {field} not simulated"),
            };
            sorted = sorted is null ? rows.OrderBy(key) : sorted.ThenBy(key);
        }

        var ordered = (sorted ?? rows.AsEnumerable()).ToList();
        var pageSize = int.Parse(Get("searchCriteria[pageSize]")!, CultureInfo.InvariantCulture);
        var currentPage = int.Parse(Get("searchCriteria[currentPage]")!, CultureInfo.InvariantCulture);
        var lastPage = Math.Max(1, (ordered.Count + pageSize - 1) / pageSize);
        var page = ordered.Skip((Math.Min(currentPage, lastPage) - 1) * pageSize).Take(pageSize);
        var items = string.Join(",", page.Select(r => OrderJson(r.Id, r.Created, r.Updated)));
        await FakeRemote.WriteJsonAsync(context, 200, $$"""{"items":[{{items}}],"search_criteria":{},"total_count":{{ordered.Count}}}""");
        AfterList?.Invoke(request.Number);
    }
}
