namespace Platform.Connectors.Erp;

// The ERP's stock change log (changed-since pull). Shares the "erp" HttpClient, key and limits with IErpClient.
// Failures: ErpRejectedException (400: the ERP refused the cursor or limit) is permanent; ConnectorException
// with IsTransient is worth a later retry; InvalidDataException means the page itself broke the contract.
public interface IErpStockClient
{
    const int DefaultLimit = 500;

    const int MaximumLimit = 1000;

    // GET api/v1/stock-changes?after=<cursor>&limit=<limit>; after null or empty reads from the beginning of
    // the log. Malformed changes come back in Invalid rather than failing the page.
    Task<ErpStockChangePage> ListStockChangesAsync(string? after, int limit = DefaultLimit, CancellationToken cancellationToken = default);

    // Page after page from `after` while the ERP says HasMore; the last page yielded has HasMore false.
    IAsyncEnumerable<ErpStockChangePage> EnumerateStockChangesAsync(string? after, int limit = DefaultLimit, CancellationToken cancellationToken = default);
}
