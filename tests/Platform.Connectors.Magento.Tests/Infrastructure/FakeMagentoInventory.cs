using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Magento.Tests.Infrastructure;

// Magento MSI and the async bulk API as the Magento 2.4 REST reference describes them, written from the
// documentation and Magento's own API tests, not from the connector: the synchronous save with the web API
// input limit and MSI's validation answers, the async bulk endpoint creating one open operation per request,
// a consumer that works through open operations (one per status read, or all at once), the bulk status
// endpoint, and the source item search with sku / source_code filters, sort orders and Magento's paging.
internal sealed class FakeMagentoInventory
{
    public const string SourceItemType = "\\Magento\\InventoryApi\\Api\\Data\\SourceItemInterface";

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Sku, string Source), (decimal Quantity, int Status)> _items = [];
    private readonly Dictionary<string, List<Operation>> _bulks = [];
    private long _nextOperationId = 41;

    public HashSet<string> Sources { get; } = new(StringComparer.Ordinal) { "default", "berlin", "hamburg" };

    // The store's "Input List Limit"; 0 switches input limits off.
    public int InputLimit { get; set; } = 20;

    // When set, each status read lets the consumer process one open operation first.
    public bool ConsumerRuns { get; set; } = true;

    public int StatusReads { get; private set; }

    public void Put(string sku, string source, decimal quantity, int status)
    {
        lock (_gate)
        {
            _items[(sku, source)] = (quantity, status);
        }
    }

    public (decimal Quantity, int Status)? Get(string sku, string source)
    {
        lock (_gate)
        {
            return _items.TryGetValue((sku, source), out var item) ? item : null;
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public Task RespondAsync(HttpContext context, ReceivedRequest request)
    {
        var segments = request.Path.Split('/');
        return (request.Method, segments) switch
        {
            ("POST", ["rest", _, "V1", "inventory", "source-items"]) => SaveAsync(context, request.Body),
            ("POST", ["rest", _, "async", "bulk", "V1", "inventory", "source-items"]) => StartBulkAsync(context, request.Body),
            ("GET", ["rest", "V1", "bulk", var uuid, "status"]) => StatusAsync(context, uuid),
            ("GET", ["rest", _, "V1", "inventory", "source-items"]) => SearchAsync(context, request.Query),
            _ => FakeRemote.WriteJsonAsync(context, 404, """{"message":"Request does not match any route."}"""),
        };
    }

    private async Task SaveAsync(HttpContext context, string body)
    {
        var items = JsonNode.Parse(body)!["sourceItems"]!.AsArray();
        if (InputLimit > 0 && items.Count > InputLimit)
        {
            await FakeRemote.WriteJsonAsync(context, 400, new JsonObject
            {
                ["message"] = "Maximum items of type \"%type\" is %max",
                ["parameters"] = new JsonObject { ["type"] = SourceItemType, ["max"] = InputLimit },
            }.ToJsonString());
            return;
        }

        if (Problem(items) is { } problem)
        {
            await FakeRemote.WriteJsonAsync(context, 400, problem);
            return;
        }

        Apply(items);
        // A void service contract answers with an empty JSON array.
        await FakeRemote.WriteJsonAsync(context, 200, "[]");
    }

    private async Task StartBulkAsync(HttpContext context, string body)
    {
        var uuid = Guid.NewGuid().ToString();
        var requestItems = new JsonArray();
        var errors = false;
        var operations = new List<Operation>();
        var index = 0;
        foreach (var request in JsonNode.Parse(body)!.AsArray())
        {
            if (request?["sourceItems"] is JsonArray items)
            {
                operations.Add(new Operation(Interlocked.Increment(ref _nextOperationId), items));
                requestItems.Add(new JsonObject { ["id"] = index, ["data_hash"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request.ToJsonString()))), ["status"] = "accepted" });
            }
            else
            {
                errors = true;
                requestItems.Add(new JsonObject { ["id"] = index, ["data_hash"] = null, ["status"] = "rejected", ["error_message"] = "\"sourceItems\" is required. Enter and try again.", ["error_code"] = 0 });
            }

            index++;
        }

        lock (_gate)
        {
            _bulks[uuid] = operations;
        }

        await FakeRemote.WriteJsonAsync(context, 202, new JsonObject
        {
            ["bulk_uuid"] = uuid,
            ["request_items"] = requestItems,
            ["errors"] = errors,
        }.ToJsonString());
    }

    public void RunConsumer()
    {
        lock (_gate)
        {
            foreach (var operation in _bulks.Values.SelectMany(o => o).Where(o => o.Status == 4))
            {
                Process(operation);
            }
        }
    }

    private async Task StatusAsync(HttpContext context, string uuid)
    {
        JsonObject answer;
        lock (_gate)
        {
            StatusReads++;
            if (!_bulks.TryGetValue(uuid, out var operations))
            {
                answer = new JsonObject
                {
                    ["message"] = "Bulk uuid %bulkUuid not exist",
                    ["parameters"] = new JsonObject { ["bulkUuid"] = uuid },
                };
            }
            else
            {
                if (ConsumerRuns && operations.FirstOrDefault(o => o.Status == 4) is { } next)
                {
                    Process(next);
                }

                answer = new JsonObject
                {
                    ["operations_list"] = new JsonArray(operations.Select(o => (JsonNode)new JsonObject
                    {
                        ["id"] = o.Id,
                        ["status"] = o.Status,
                        ["result_message"] = o.Message,
                        ["error_code"] = o.ErrorCode,
                    }).ToArray()),
                    ["user_type"] = 2,
                    ["bulk_id"] = uuid,
                    ["description"] = "Topic async.magento.inventoryapi.api.sourceitemssaveinterface.execute.post",
                    ["start_time"] = "2026-11-22 10:00:00",
                    ["user_id"] = 1,
                    ["operation_count"] = operations.Count,
                };
            }
        }

        await FakeRemote.WriteJsonAsync(context, answer.ContainsKey("message") ? 404 : 200, answer.ToJsonString());
    }

    private async Task SearchAsync(HttpContext context, string rawQuery)
    {
        var query = QueryHelpers.ParseQuery(rawQuery);
        string? Get(string key) => query.TryGetValue(key, out var value) ? value.ToString() : null;

        List<(string Sku, string Source, decimal Quantity, int Status)> rows;
        lock (_gate)
        {
            rows = _items.Select(i => (i.Key.Sku, i.Key.Source, i.Value.Quantity, i.Value.Status)).ToList();
        }

        for (var group = 0; Get($"searchCriteria[filter_groups][{group}][filters][0][field]") is { } field; group++)
        {
            var prefix = $"searchCriteria[filter_groups][{group}][filters][0]";
            var value = Get(prefix + "[value]")!;
            var accepted = (Get(prefix + "[condition_type]") ?? "eq") switch
            {
                "eq" => [value],
                // Magento's database adapter splits an "in" value given as text at its commas.
                "in" => value.Split(',').ToHashSet(StringComparer.Ordinal),
                var other => throw new InvalidOperationException($"condition {other} not simulated"),
            };
            rows = rows.Where(r => accepted.Contains(field switch
            {
                "sku" => r.Sku,
                "source_code" => r.Source,
                _ => throw new InvalidOperationException($"filter field {field} not simulated"),
            })).ToList();
        }

        IOrderedEnumerable<(string Sku, string Source, decimal Quantity, int Status)>? sorted = null;
        for (var index = 0; Get($"searchCriteria[sortOrders][{index}][field]") is { } field; index++)
        {
            Func<(string Sku, string Source, decimal Quantity, int Status), string> key = field switch
            {
                "sku" => r => r.Sku,
                "source_code" => r => r.Source,
                _ => throw new InvalidOperationException($"sort field {field} not simulated"),
            };
            sorted = sorted is null ? rows.OrderBy(key, StringComparer.Ordinal) : sorted.ThenBy(key, StringComparer.Ordinal);
        }

        var ordered = (sorted ?? rows.AsEnumerable()).ToList();
        var pageSize = int.Parse(Get("searchCriteria[pageSize]") ?? "20", CultureInfo.InvariantCulture);
        var currentPage = int.Parse(Get("searchCriteria[currentPage]") ?? "1", CultureInfo.InvariantCulture);
        var lastPage = Math.Max(1, (ordered.Count + pageSize - 1) / pageSize);
        var items = new JsonArray(ordered.Skip((Math.Min(currentPage, lastPage) - 1) * pageSize).Take(pageSize)
            .Select(r => (JsonNode)new JsonObject
            {
                ["sku"] = r.Sku,
                ["source_code"] = r.Source,
                ["quantity"] = r.Quantity,
                ["status"] = r.Status,
            }).ToArray());
        await FakeRemote.WriteJsonAsync(context, 200, new JsonObject
        {
            ["items"] = items,
            ["search_criteria"] = new JsonObject(),
            ["total_count"] = ordered.Count,
        }.ToJsonString());
    }

    // MSI's answers: an unknown source fails the save as a whole ("Could not save Source Item"); field
    // validation fails it with one entry per problem.
    private string? Problem(JsonArray items)
    {
        var errors = new JsonArray();
        foreach (var item in items)
        {
            var source = item!["source_code"]!.GetValue<string>();
            if (source.Contains(' ', StringComparison.Ordinal))
            {
                errors.Add(new JsonObject
                {
                    ["message"] = "\"%field\" can not contain whitespaces.",
                    ["parameters"] = new JsonObject { ["field"] = "source_code" },
                });
            }
        }

        if (errors.Count > 0)
        {
            return new JsonObject { ["message"] = "Validation Failed", ["errors"] = errors }.ToJsonString();
        }

        return items.Any(i => !Sources.Contains(i!["source_code"]!.GetValue<string>()))
            ? """{"message":"Could not save Source Item"}"""
            : null;
    }

    private void Apply(JsonArray items)
    {
        lock (_gate)
        {
            foreach (var item in items)
            {
                _items[(item!["sku"]!.GetValue<string>(), item["source_code"]!.GetValue<string>())] =
                    (item["quantity"]!.GetValue<decimal>(), item["status"]!.GetValue<int>());
            }
        }
    }

    private void Process(Operation operation)
    {
        if (Problem(operation.Items) is { } problem)
        {
            operation.Status = 3;
            operation.Message = JsonNode.Parse(problem)!["message"]!.GetValue<string>();
            operation.ErrorCode = 0;
            return;
        }

        Apply(operation.Items);
        operation.Status = 1;
        operation.Message = "Service execution success Magento\\Inventory\\Model\\SourceItem\\Command\\SourceItemsSave\\Interceptor::execute";
    }

    private sealed class Operation(long id, JsonArray items)
    {
        public long Id { get; } = id;

        public JsonArray Items { get; } = items;

        public int Status { get; set; } = 4;

        public string? Message { get; set; }

        public int? ErrorCode { get; set; }
    }
}
