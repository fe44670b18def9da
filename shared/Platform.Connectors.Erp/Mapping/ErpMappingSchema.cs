namespace Platform.Connectors.Erp.Mapping;

internal enum ErpValueKind
{
    Text,
    Integer,
    Flag,
    Sku,
    Currency,
    Quantity,
    Amount,
}

// A neutral field: "orderNumber", "shipTo.country", or "lines[].sku" for a field of each line.
// Required fields must be mapped to a target; the others may be mapped to ~ (left out of the body).
internal sealed record NeutralField(string Path, ErpValueKind Kind, bool Required)
{
    public string? Collection => Path.IndexOf("[].", StringComparison.Ordinal) is var at and > 0 ? Path[..at] : null;

    public string ElementPath => Collection is { } collection ? Path[(collection.Length + 3)..] : Path;
}

// The fields each document offers to the mapping file. The names follow the ERP contract of
// services/sandbox/README.md, so the default mapping maps each field to itself.
internal static class ErpMappingSchema
{
    public const string SalesOrder = "salesOrder";
    public const string Cancellation = "cancellation";
    public const string CreditNote = "creditNote";

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<NeutralField>> Documents = new Dictionary<string, IReadOnlyList<NeutralField>>
    {
        [SalesOrder] =
        [
            new("orderReference", ErpValueKind.Text, true),
            new("storeCode", ErpValueKind.Text, false),
            new("orderNumber", ErpValueKind.Text, true),
            new("revision", ErpValueKind.Integer, true),
            new("orderDate", ErpValueKind.Text, false),
            new("currency", ErpValueKind.Currency, true),
            new("customerCode", ErpValueKind.Text, false),
            new("guest", ErpValueKind.Flag, false),
            new("shipTo.country", ErpValueKind.Text, false),
            new("shipTo.region", ErpValueKind.Text, false),
            new("lines[].lineNumber", ErpValueKind.Integer, true),
            new("lines[].sku", ErpValueKind.Sku, true),
            new("lines[].quantity", ErpValueKind.Quantity, true),
            new("lines[].unitPrice", ErpValueKind.Amount, true),
            new("lines[].discount", ErpValueKind.Amount, false),
            new("lines[].tax", ErpValueKind.Amount, false),
            new("lines[].lineTotal", ErpValueKind.Amount, true),
            new("totals.subtotal", ErpValueKind.Amount, false),
            new("totals.shipping", ErpValueKind.Amount, false),
            new("totals.discount", ErpValueKind.Amount, false),
            new("totals.tax", ErpValueKind.Amount, false),
            new("totals.grandTotal", ErpValueKind.Amount, true),
        ],
        [Cancellation] =
        [
            new("reason", ErpValueKind.Text, true),
            new("lines[].lineNumber", ErpValueKind.Integer, true),
            new("lines[].sku", ErpValueKind.Sku, false),
            new("lines[].quantity", ErpValueKind.Quantity, true),
        ],
        [CreditNote] =
        [
            new("documentNumber", ErpValueKind.Text, true),
            new("creditMemoId", ErpValueKind.Text, true),
            new("lines[].lineNumber", ErpValueKind.Integer, true),
            new("lines[].sku", ErpValueKind.Sku, false),
            new("lines[].quantity", ErpValueKind.Quantity, true),
            new("lines[].amount", ErpValueKind.Amount, true),
            new("amount", ErpValueKind.Amount, true),
            new("currency", ErpValueKind.Currency, true),
        ],
    };
}
