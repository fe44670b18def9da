using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Platform.Connectors.Magento;

// Shares the "magento" HttpClient (base address, token, rate limiter, circuit breaker) with MagentoClient.
internal sealed partial class MagentoInventoryClient(
    HttpClient http, IOptions<MagentoInventoryOptions> options, TimeProvider timeProvider)
    : ConnectorClient(http), IMagentoInventoryClient
{
    private const string SourceItemsPath = "V1/inventory/source-items";

    public int InputLimit { get; } = options.Value.InputLimit;

    public IReadOnlyList<IReadOnlyList<MagentoSourceItem>> SplitByInputLimit(IReadOnlyList<MagentoSourceItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return [];
        }

        return InputLimit <= 0 || items.Count <= InputLimit
            ? [items]
            : items.Chunk(InputLimit).Select(chunk => (IReadOnlyList<MagentoSourceItem>)chunk).ToList();
    }

    // Retried by the pipeline like any call: a source item carries an absolute quantity, so applying the same
    // request twice leaves the same stock.
    public async Task SaveSourceItemsAsync(string storeCode, IReadOnlyList<MagentoSourceItem> items, CancellationToken cancellationToken = default)
    {
        const string operation = "source-items.save";
        var path = $"{MagentoClient.StorePath(storeCode)}/{SourceItemsPath}";
        Validate(items, nameof(items));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(writer => WriteRequest(writer, items)) };
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        await EnsureAcceptedAsync(operation, response, cancellationToken).ConfigureAwait(false);
    }

    // A retry after an ambiguous failure may schedule a second bulk with the same requests; harmless for the
    // same reason as above, and cheaper than leaving the stock unpushed.
    public async Task<MagentoBulkAccepted> StartSourceItemsBulkAsync(
        string storeCode, IReadOnlyList<IReadOnlyList<MagentoSourceItem>> requests, CancellationToken cancellationToken = default)
    {
        const string operation = "source-items.bulk";
        var path = $"{MagentoClient.StorePath(storeCode)}/async/bulk/{SourceItemsPath}";
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            throw new ArgumentException("at least one request is required", nameof(requests));
        }

        for (var index = 0; index < requests.Count; index++)
        {
            Validate(requests[index], $"{nameof(requests)}[{index}]");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = Json(writer =>
            {
                writer.WriteStartArray();
                foreach (var items in requests)
                {
                    WriteRequest(writer, items);
                }

                writer.WriteEndArray();
            }),
        };
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        await EnsureAcceptedAsync(operation, response, cancellationToken).ConfigureAwait(false);
        using var document = await MagentoClient.ReadJsonAsync(response, "Magento async bulk answer", cancellationToken).ConfigureAwait(false);
        return MagentoInventoryParser.ParseBulkAccepted(document.RootElement);
    }

    public async Task<MagentoBulkStatus> GetBulkStatusAsync(string bulkUuid, CancellationToken cancellationToken = default)
    {
        const string operation = "bulk.status";
        ArgumentException.ThrowIfNullOrWhiteSpace(bulkUuid);
        if (!BulkUuidPattern().IsMatch(bulkUuid))
        {
            throw new ArgumentException($"'{bulkUuid}' is not a bulk UUID", nameof(bulkUuid));
        }

        // No store code: bulks are global, and the route answers the same under every store.
        using var request = new HttpRequestMessage(HttpMethod.Get, $"rest/V1/bulk/{bulkUuid}/status");
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        await EnsureAcceptedAsync(operation, response, cancellationToken).ConfigureAwait(false);
        using var document = await MagentoClient.ReadJsonAsync(response, $"Magento bulk {bulkUuid} status", cancellationToken).ConfigureAwait(false);
        return MagentoInventoryParser.ParseBulkStatus(document.RootElement, bulkUuid);
    }

    public async Task<MagentoBulkStatus> WaitForBulkAsync(
        string bulkUuid, TimeSpan pollInterval, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(pollInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var deadline = timeProvider.GetUtcNow() + timeout;
        MagentoBulkStatus? last = null;
        ConnectorException? unreadable = null;
        while (true)
        {
            try
            {
                var status = await GetBulkStatusAsync(bulkUuid, cancellationToken).ConfigureAwait(false);
                if (status.IsFinished)
                {
                    return status;
                }

                last = status;
                unreadable = null;
            }
            catch (ConnectorException exception) when (exception.IsTransient)
            {
                // Magento being briefly unwell does not end the wait: the bulk runs on regardless.
                unreadable = exception;
            }

            var remaining = deadline - timeProvider.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                var state = unreadable is not null
                    ? "its status could not be read"
                    : $"{last!.OpenCount} of {last.OperationCount} operations are still open";
                throw new TimeoutException(
                    $"magento bulk {bulkUuid}: not finished after {timeout.TotalSeconds:0.###} s, {state}", unreadable);
            }

            await Task.Delay(remaining < pollInterval ? remaining : pollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<MagentoSourceItemPage> ListSourceItemsAsync(
        string storeCode, IReadOnlyCollection<string> skus, string? sourceCode, int pageSize, int currentPage,
        CancellationToken cancellationToken = default)
    {
        const string operation = "source-items.list";
        var path = $"{MagentoClient.StorePath(storeCode)}/{SourceItemsPath}";
        ArgumentNullException.ThrowIfNull(skus);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MagentoClient.MaximumPageSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(currentPage, 1);
        if (skus.Count is 0 or > IMagentoInventoryClient.MaximumSkusPerQuery)
        {
            throw new ArgumentException(
                $"between 1 and {IMagentoInventoryClient.MaximumSkusPerQuery} SKUs are required, not {skus.Count}", nameof(skus));
        }

        if (skus.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("SKUs must not be empty", nameof(skus));
        }

        if (sourceCode is not null && string.IsNullOrWhiteSpace(sourceCode))
        {
            throw new ArgumentException("a source code must not be empty; pass null for every source", nameof(sourceCode));
        }

        var criteria = new MagentoSearchCriteria();
        if (skus.Count == 1)
        {
            criteria.Where("sku", "eq", skus.First());
        }
        else
        {
            // Magento splits an "in" value at commas, so a SKU containing one can only be asked for alone.
            if (skus.FirstOrDefault(s => s.Contains(',', StringComparison.Ordinal)) is { } withComma)
            {
                throw new ArgumentException($"SKU '{withComma}' contains a comma and must be listed on its own", nameof(skus));
            }

            criteria.Where("sku", "in", string.Join(',', skus));
        }

        if (sourceCode is not null)
        {
            criteria.Where("source_code", "eq", sourceCode);
        }

        // (sku, source_code) is unique, so the order is total and pages neither overlap nor skip.
        var query = criteria.OrderBy("sku").OrderBy("source_code").Page(pageSize, currentPage).ToQueryString();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?{query}");
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        await EnsureAcceptedAsync(operation, response, cancellationToken).ConfigureAwait(false);
        using var document = await MagentoClient.ReadJsonAsync(response, "Magento source item list", cancellationToken).ConfigureAwait(false);
        return MagentoInventoryParser.ParseSourceItemPage(document.RootElement, currentPage, pageSize);
    }

    public async IAsyncEnumerable<MagentoSourceItemPage> EnumerateSourceItemsAsync(
        string storeCode, IReadOnlyCollection<string> skus, string? sourceCode = null, int pageSize = 300,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(skus);
        var distinct = skus.Distinct(StringComparer.Ordinal).ToList();
        var chunks = distinct.Where(s => !s.Contains(',', StringComparison.Ordinal))
            .Chunk(IMagentoInventoryClient.MaximumSkusPerQuery)
            .Concat(distinct.Where(s => s.Contains(',', StringComparison.Ordinal)).Select(s => new[] { s }));
        foreach (var chunk in chunks)
        {
            for (var currentPage = 1; ; currentPage++)
            {
                var page = await ListSourceItemsAsync(storeCode, chunk, sourceCode, pageSize, currentPage, cancellationToken).ConfigureAwait(false);
                if (page.Items.Count == 0)
                {
                    break;
                }

                yield return page;
                if ((long)currentPage * pageSize >= page.TotalCount)
                {
                    break;
                }
            }
        }
    }

    private static async Task EnsureAcceptedAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw MagentoInventoryParser.ParseRejection(operation, response.StatusCode, response.ReasonPhrase, body);
        }

        EnsureSuccess(operation, response);
    }

    private static void Validate(IReadOnlyList<MagentoSourceItem> items, string name)
    {
        ArgumentNullException.ThrowIfNull(items, name);
        if (items.Count == 0)
        {
            throw new ArgumentException($"{name} holds no source items", name);
        }

        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index] ?? throw new ArgumentException($"{name}[{index}] is null", name);
            if (string.IsNullOrWhiteSpace(item.Sku))
            {
                throw new ArgumentException($"{name}[{index}].Sku is required", name);
            }

            if (string.IsNullOrWhiteSpace(item.SourceCode))
            {
                throw new ArgumentException($"{name}[{index}].SourceCode is required", name);
            }

            if (!Enum.IsDefined(item.Status))
            {
                throw new ArgumentException($"{name}[{index}].Status {(int)item.Status} is neither in stock (1) nor out of stock (0)", name);
            }
        }
    }

    // {"sourceItems":[{"sku":..,"source_code":..,"quantity":..,"status":..}]}: the parameter name of
    // SourceItemsSaveInterface::execute, the fields of SourceItemInterface in snake_case.
    private static void WriteRequest(Utf8JsonWriter writer, IReadOnlyList<MagentoSourceItem> items)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("sourceItems");
        foreach (var item in items)
        {
            writer.WriteStartObject();
            writer.WriteString("sku", item.Sku);
            writer.WriteString("source_code", item.SourceCode);
            writer.WriteNumber("quantity", item.Quantity);
            writer.WriteNumber("status", (int)item.Status);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    // Serialised once to bytes, so every retry sends the identical body.
    private static ByteArrayContent Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return new ByteArrayContent(buffer.ToArray())
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
        };
    }

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex BulkUuidPattern();
}
