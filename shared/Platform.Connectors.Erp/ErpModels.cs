namespace Platform.Connectors.Erp;

// The neutral shapes the order flow hands to the ERP connector. Field names and value formats on the wire
// come from the mapping file (see ErpMapping), so these records never change for an ERP's sake.

public sealed record ErpSalesOrder(
    string OrderReference,
    string StoreCode,
    string OrderNumber,
    int Revision,
    string Currency,
    string? CustomerCode,
    bool Guest,
    ErpShipTo ShipTo,
    IReadOnlyList<ErpSalesOrderLine> Lines,
    ErpTotals Totals,
    DateTimeOffset? OrderDate = null)
{
    // One key per order revision: a retried or redelivered export of the same revision is a replay the ERP
    // answers with the document it already created; a new revision is a new request.
    public string IdempotencyKey => $"{OrderReference}:{Revision}";
}

public sealed record ErpShipTo(string Country, string? Region);

public sealed record ErpSalesOrderLine(
    int LineNumber, string Sku, decimal Quantity, decimal UnitPrice, decimal Discount, decimal Tax, decimal LineTotal);

public sealed record ErpTotals(decimal Subtotal, decimal Shipping, decimal Discount, decimal Tax, decimal GrandTotal);

public sealed record ErpSalesOrderResult(string DocumentNumber, bool Replayed);

// Lines null cancels the whole order; otherwise only the given quantities.
public sealed record ErpCancellation(
    string DocumentNumber, string IdempotencyKey, string Reason, IReadOnlyList<ErpCancellationLine>? Lines = null);

public sealed record ErpCancellationLine(int LineNumber, string Sku, decimal Quantity);

public sealed record ErpCreditNote(
    string DocumentNumber,
    string CreditMemoId,
    string IdempotencyKey,
    IReadOnlyList<ErpCreditNoteLine> Lines,
    decimal Amount,
    string Currency);

public sealed record ErpCreditNoteLine(int LineNumber, string Sku, decimal Quantity, decimal Amount);

// The document the ERP created (or, Replayed, had already created for the same idempotency key).
public sealed record ErpDocumentResult(string DocumentNumber, bool Replayed);

public sealed record ErpSalesOrderListPage(IReadOnlyList<ErpSalesOrderSummary> Items, int TotalCount, int Page, int PageSize);

public sealed record ErpSalesOrderSummary(
    string OrderReference, string DocumentNumber, int Revision, string Currency, decimal GrandTotal, string Status);
