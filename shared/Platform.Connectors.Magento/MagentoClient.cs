using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Connectors.Magento;

// Paths are relative to the configured base address, which ends at the Magento root (or the sandbox's
// /magento/ prefix): rest/{store}/V1/...
internal sealed partial class MagentoClient(HttpClient http) : ConnectorClient(http), IMagentoClient
{
    // Magento's web API input limits (2.4.3 and later, when a store enables them) cap a page at 300
    // items by default; a larger page size would work on one store and fail on the next.
    internal const int MaximumPageSize = 300;

    public Task<MagentoOrderPage> ListOrdersUpdatedSinceAsync(
        string storeCode, DateTimeOffset since, int pageSize, int currentPage, CancellationToken cancellationToken = default)
    {
        var criteria = new MagentoSearchCriteria()
            .Where("updated_at", "gteq", since)
            .OrderBy("updated_at")
            // updated_at has one-second resolution and many orders share a second; without a unique
            // tie-breaker the database may order ties differently on each page request.
            .OrderBy("entity_id");
        return ListOrdersAsync(storeCode, criteria, pageSize, currentPage, cancellationToken);
    }

    public Task<MagentoOrderPage> ListOrdersCreatedBetweenAsync(
        string storeCode, DateTimeOffset from, DateTimeOffset to, int pageSize, int currentPage, CancellationToken cancellationToken = default)
    {
        if (to <= from)
        {
            throw new ArgumentException($"the window end ({to:O}) must be after its start ({from:O})", nameof(to));
        }

        var criteria = new MagentoSearchCriteria()
            .Where("created_at", "gteq", from)
            .Where("created_at", "lt", to)
            // entity_id only grows, so an order created in the window while it is read lands on a later
            // page instead of shifting the pages not read yet.
            .OrderBy("entity_id");
        return ListOrdersAsync(storeCode, criteria, pageSize, currentPage, cancellationToken);
    }

    public async IAsyncEnumerable<MagentoOrderPage> EnumerateOrdersUpdatedSinceAsync(
        string storeCode, DateTimeOffset since, int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = TruncateToSecond(since);
        var currentPage = 1;
        // Orders already returned whose updated_at equals the cursor: the next query starts at that
        // second again (gteq) and returns them once more.
        var seenAtCursor = new HashSet<long>();
        var invalidSeen = new HashSet<long>();
        while (true)
        {
            var page = await ListOrdersUpdatedSinceAsync(storeCode, cursor, pageSize, currentPage, cancellationToken).ConfigureAwait(false);
            var fresh = page.Orders.Where(o => !(o.UpdatedAt == cursor && seenAtCursor.Contains(o.EntityId))).ToList();
            var freshInvalid = page.Invalid.Where(i => i.EntityId is not { } id || invalidSeen.Add(id)).ToList();
            if (fresh.Count > 0 || freshInvalid.Count > 0)
            {
                yield return page with { Orders = fresh, Invalid = freshInvalid };
            }

            if (page.Orders.Count + page.Invalid.Count == 0 || (long)currentPage * pageSize >= page.TotalCount)
            {
                yield break;
            }

            var newest = page.Orders.Select(o => o.UpdatedAt)
                .Concat(page.Invalid.Where(i => i.UpdatedAt is not null).Select(i => i.UpdatedAt!.Value))
                .DefaultIfEmpty(cursor)
                .Max();
            if (newest > cursor)
            {
                cursor = newest;
                currentPage = 1;
                seenAtCursor = page.Orders.Where(o => o.UpdatedAt == newest).Select(o => o.EntityId).ToHashSet();
            }
            else
            {
                // A whole page of orders changed in the same second: only offsets can move past them.
                currentPage++;
                seenAtCursor.UnionWith(page.Orders.Select(o => o.EntityId));
            }
        }
    }

    public async IAsyncEnumerable<MagentoOrderPage> EnumerateOrdersCreatedBetweenAsync(
        string storeCode, DateTimeOffset from, DateTimeOffset to, int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var currentPage = 1; ; currentPage++)
        {
            var page = await ListOrdersCreatedBetweenAsync(storeCode, from, to, pageSize, currentPage, cancellationToken).ConfigureAwait(false);
            if (page.Orders.Count + page.Invalid.Count == 0)
            {
                yield break;
            }

            yield return page;
            if ((long)currentPage * pageSize >= page.TotalCount)
            {
                yield break;
            }
        }
    }

    public async Task<MagentoOrder?> GetOrderAsync(string storeCode, long entityId, CancellationToken cancellationToken = default)
    {
        const string operation = "orders.get";
        using var request = new HttpRequestMessage(
            HttpMethod.Get, $"{StorePath(storeCode)}/V1/orders/{entityId.ToString(CultureInfo.InvariantCulture)}");
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        EnsureSuccess(operation, response);
        using var document = await ReadJsonAsync(response, "Magento order", cancellationToken).ConfigureAwait(false);
        return MagentoOrderParser.ParseOrder(document.RootElement);
    }

    private async Task<MagentoOrderPage> ListOrdersAsync(
        string storeCode, MagentoSearchCriteria criteria, int pageSize, int currentPage, CancellationToken cancellationToken)
    {
        const string operation = "orders.list";
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaximumPageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(currentPage, 1);
        var query = criteria.Page(pageSize, currentPage).ToQueryString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{StorePath(storeCode)}/V1/orders?{query}");
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(operation, response);
        using var document = await ReadJsonAsync(response, "Magento order list", cancellationToken).ConfigureAwait(false);
        return MagentoOrderParser.ParsePage(document.RootElement, currentPage, pageSize);
    }

    internal static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException exception)
            {
                throw new MagentoPayloadException($"{what}: the response is not valid JSON ({exception.Message})");
            }
        }
    }

    internal static string StorePath(string storeCode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeCode);
        return StoreCodePattern().IsMatch(storeCode)
            ? $"rest/{storeCode}"
            : throw new ArgumentException($"'{storeCode}' is not a Magento store code (letters, digits and '_')", nameof(storeCode));
    }

    private static DateTimeOffset TruncateToSecond(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeSeconds(value.ToUnixTimeSeconds());

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex StoreCodePattern();
}
