namespace Platform.Connectors.Magento;

// Magento MSI source items and the async bulk API. Failures: MagentoRejectedException is permanent (Magento
// refused the request: dead-letter, or split it when it exceeds the input limit); ConnectorException with
// IsTransient (408, 429, 5xx, timeouts) is worth a later retry, the pipeline having retried already; any
// other ConnectorException (401, 403, 404) is a configuration problem.
public interface IMagentoInventoryClient
{
    // SKUs per search request: each becomes part of the query string, which proxies cap at a few kilobytes.
    const int MaximumSkusPerQuery = 50;

    // Platform:Connectors:magento:Inventory:InputLimit; 0 means unlimited.
    int InputLimit { get; }

    // The items in order, cut into batches of at most InputLimit (one batch when the limit is 0).
    IReadOnlyList<IReadOnlyList<MagentoSourceItem>> SplitByInputLimit(IReadOnlyList<MagentoSourceItem> items);

    // POST rest/{store}/V1/inventory/source-items. Applied when it returns. The caller batches: a request over
    // the store's input limit comes back as MagentoRejectedException (400), as does an unknown source code.
    Task SaveSourceItemsAsync(string storeCode, IReadOnlyList<MagentoSourceItem> items, CancellationToken cancellationToken = default);

    // POST rest/{store}/async/bulk/V1/inventory/source-items: one bulk operation per request, applied later by
    // Magento's async.operations.all consumer. Follow it with GetBulkStatusAsync / WaitForBulkAsync.
    Task<MagentoBulkAccepted> StartSourceItemsBulkAsync(
        string storeCode, IReadOnlyList<IReadOnlyList<MagentoSourceItem>> requests, CancellationToken cancellationToken = default);

    // GET rest/V1/bulk/{bulkUuid}/status
    Task<MagentoBulkStatus> GetBulkStatusAsync(string bulkUuid, CancellationToken cancellationToken = default);

    // Reads the status every pollInterval until no operation is open and returns it (failed operations
    // included: check IsSuccessful / FailedOperations). Throws TimeoutException when the timeout passes
    // first; the bulk goes on in Magento and can be followed again later.
    Task<MagentoBulkStatus> WaitForBulkAsync(
        string bulkUuid, TimeSpan pollInterval, TimeSpan timeout, CancellationToken cancellationToken = default);

    // GET rest/{store}/V1/inventory/source-items for at most MaximumSkusPerQuery SKUs (sku "in", or "eq" for one),
    // optionally one source (source_code "eq"), sorted by sku then source_code. pageSize 1 to 300, currentPage
    // 1-based; past the last page Magento answers with the last page again, so stop by TotalCount.
    Task<MagentoSourceItemPage> ListSourceItemsAsync(
        string storeCode, IReadOnlyCollection<string> skus, string? sourceCode, int pageSize, int currentPage,
        CancellationToken cancellationToken = default);

    // Every source item of the given SKUs (any number), page by page: the SKUs are queried in chunks of
    // MaximumSkusPerQuery, each chunk paged to its TotalCount.
    IAsyncEnumerable<MagentoSourceItemPage> EnumerateSourceItemsAsync(
        string storeCode, IReadOnlyCollection<string> skus, string? sourceCode = null, int pageSize = 300,
        CancellationToken cancellationToken = default);
}
