namespace Platform.Connectors.Erp;

public enum ErpStockChangeType
{
    // A snapshot: on hand at the location is now Quantity.
    Absolute,

    // On hand changed by Quantity, which may be negative.
    Delta,
}

// One entry of the ERP's stock change log. Location is the ERP's warehouse code, not a Magento source code.
// Sequence orders updates per SKU and location; when the ERP has none, MeasuredAt is set instead (at least
// one of the two always is).
public sealed record ErpStockChange(
    string ChangeId,
    string Sku,
    string Location,
    ErpStockChangeType Type,
    decimal Quantity,
    long? Sequence,
    DateTimeOffset? MeasuredAt);

// A change of the page that breaks the contract, with whatever could be read of it and the raw JSON, so the
// caller can dead-letter it; the rest of the page is still good, and NextCursor moves past it as well.
public sealed record ErpInvalidStockChange(string? ChangeId, string? Sku, string? Location, string Error, string Json);

// NextCursor: pass it as `after` for the next page (and store it once the page is processed). HasMore: another
// page is ready now; when false, poll again later from NextCursor.
public sealed record ErpStockChangePage(
    IReadOnlyList<ErpStockChange> Changes,
    IReadOnlyList<ErpInvalidStockChange> Invalid,
    string? NextCursor,
    bool HasMore);
