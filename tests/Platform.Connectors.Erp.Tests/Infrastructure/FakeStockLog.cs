using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Erp.Tests.Infrastructure;

// The ERP's stock change log as the inventory contract describes it: GET api/v1/stock-changes?after=&limit=,
// changeIds zero-padded and increasing, nextCursor the last changeId returned (or the cursor given), hasMore
// when changes remain, and 400 problem details for a malformed cursor or limit. Entries are stored as raw
// JSON so a test can put broken ones in the log.
internal sealed class FakeStockLog
{
    private readonly List<(string ChangeId, JsonObject Change)> _changes = [];

    public static string Id(int number) => number.ToString("00000000000000000000", CultureInfo.InvariantCulture);

    // Adds a change with the next changeId; the object gets "changeId" first unless it already sets one.
    public string Add(JsonObject change)
    {
        var id = Id(_changes.Count + 1);
        var entry = new JsonObject { ["changeId"] = id };
        foreach (var (name, value) in change)
        {
            entry[name] = value?.DeepClone();
        }

        _changes.Add((id, entry));
        return id;
    }

    public Task RespondAsync(HttpContext context, ReceivedRequest request)
    {
        if (request.Method != "GET" || request.Path != "api/v1/stock-changes")
        {
            return FakeRemote.WriteJsonAsync(context, 404, """{"type":"about:blank","title":"Not Found","status":404}""");
        }

        var query = QueryHelpers.ParseQuery(request.Query);
        var after = query.TryGetValue("after", out var afterValue) ? afterValue.ToString() : "";
        var limitText = query.TryGetValue("limit", out var limitValue) ? limitValue.ToString() : "500";
        if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > 1000)
        {
            return Problem(context, "limit must be between 1 and 1000");
        }

        if (after.Length > 0 && (after.Length != 20 || !after.All(char.IsAsciiDigit)))
        {
            return Problem(context, "after must be a cursor returned by this API");
        }

        var remaining = _changes.Where(c => string.CompareOrdinal(c.ChangeId, after) > 0).ToList();
        var page = remaining.Take(limit).ToList();
        var body = new JsonObject
        {
            ["changes"] = new JsonArray(page.Select(c => c.Change.DeepClone()).ToArray()),
            ["nextCursor"] = page.Count > 0 ? page[^1].ChangeId : after,
            ["hasMore"] = remaining.Count > page.Count,
        };
        return FakeRemote.WriteJsonAsync(context, 200, body.ToJsonString());
    }

    private static Task Problem(HttpContext context, string detail) =>
        FakeRemote.WriteJsonAsync(context, 400, new JsonObject
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            ["title"] = "Bad Request",
            ["status"] = 400,
            ["detail"] = detail,
        }.ToJsonString());
}
