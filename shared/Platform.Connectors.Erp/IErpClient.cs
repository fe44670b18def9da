namespace Platform.Connectors.Erp;

// Failures: ErpRejectedException is permanent (dead-letter); ConnectorException with IsTransient is worth
// a later retry (the pipeline has already retried); any other ConnectorException (401, 403) is a
// configuration problem. Every POST carries an Idempotency-Key, so the pipeline retries them safely.
public interface IErpClient
{
    // POST api/v1/sales-orders. 201 creates (Replayed false); 200 means the ERP had already seen this
    // idempotency key and returns the document it created then (Replayed true).
    Task<ErpSalesOrderResult> CreateSalesOrderAsync(ErpSalesOrder order, CancellationToken cancellationToken = default);

    // POST api/v1/sales-orders/{documentNumber}/cancellations
    Task<ErpDocumentResult> CancelSalesOrderAsync(ErpCancellation cancellation, CancellationToken cancellationToken = default);

    // POST api/v1/credit-notes
    Task<ErpDocumentResult> CreateCreditNoteAsync(ErpCreditNote creditNote, CancellationToken cancellationToken = default);

    // GET api/v1/sales-orders: orders the ERP holds with from <= order date < to, for reconciliation.
    // storeCode null lists every store. page is 1-based.
    Task<ErpSalesOrderListPage> ListSalesOrdersAsync(
        DateTimeOffset from, DateTimeOffset to, string? storeCode, int page, int pageSize, CancellationToken cancellationToken = default);

    // Every page, until TotalCount is reached or a page comes back empty.
    IAsyncEnumerable<ErpSalesOrderListPage> EnumerateSalesOrdersAsync(
        DateTimeOffset from, DateTimeOffset to, string? storeCode, int pageSize = 100, CancellationToken cancellationToken = default);
}
