using System.Text.Json.Serialization;

namespace Platform.Sandbox.Systems.Erp;

// The generic ERP's sales API payloads (camelCase JSON). The contract is the one written in the sandbox README; the ERP
// refuses fields it does not know, so a connector's misspelt field fails loudly instead of being dropped.

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SalesOrderRequest
{
    /// <summary>The platform's order id: the ERP keeps one document per order reference.</summary>
    public string? OrderReference { get; init; }

    public string? Store { get; init; }
    public string? OrderNumber { get; init; }

    /// <summary>1 for the first version of the order; a higher revision with a new Idempotency-Key revises the document.</summary>
    public int? Revision { get; init; }

    /// <summary>When the order was placed; without it the ERP dates the document when it receives it.</summary>
    public DateTimeOffset? OrderDate { get; init; }
    public string? Currency { get; init; }

    /// <summary>The ERP customer; exactly one of <see cref="CustomerCode"/> and <c>guest: true</c>.</summary>
    public string? CustomerCode { get; init; }

    public bool? Guest { get; init; }
    public ShipToRequest? ShipTo { get; init; }
    public List<SalesLineRequest>? Lines { get; init; }
    public SalesTotalsRequest? Totals { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ShipToRequest
{
    /// <summary>ISO 3166-1 alpha-2.</summary>
    public string? Country { get; init; }

    public string? Region { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SalesLineRequest
{
    /// <summary>Optional; numbered 1, 2... in order when left out. Unique within the order.</summary>
    public int? LineNumber { get; init; }

    public string? Sku { get; init; }
    public string? Description { get; init; }
    public decimal? Quantity { get; init; }

    /// <summary>Net unit price (excluding tax).</summary>
    public decimal? UnitPrice { get; init; }

    /// <summary>Discount on the whole line, positive.</summary>
    public decimal? Discount { get; init; }

    /// <summary>Tax on the whole line.</summary>
    public decimal? Tax { get; init; }

    /// <summary>Optional check value: quantity × unitPrice − discount (net, tax excluded).</summary>
    public decimal? LineTotal { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SalesTotalsRequest
{
    /// <summary>Sum of quantity × unit price over the lines.</summary>
    public decimal? Subtotal { get; init; }

    /// <summary>Sum of the line discounts, positive.</summary>
    public decimal? Discount { get; init; }

    public decimal? Shipping { get; init; }

    /// <summary>All tax, shipping tax included.</summary>
    public decimal? Tax { get; init; }

    /// <summary>subtotal − discount + shipping + tax.</summary>
    public decimal? GrandTotal { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CancellationRequest
{
    public string? Reason { get; init; }

    /// <summary>None cancels everything not cancelled yet; otherwise these quantities only.</summary>
    public List<QuantityLineRequest>? Lines { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record QuantityLineRequest
{
    public int? LineNumber { get; init; }
    public string? Sku { get; init; }
    public decimal? Quantity { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreditNoteRequest
{
    public string? DocumentNumber { get; init; }

    /// <summary>The caller's id of the refund (e.g. the storefront's credit memo), kept on the credit note.</summary>
    public string? CreditMemoId { get; init; }

    public string? Currency { get; init; }
    public List<CreditLineRequest>? Lines { get; init; }

    /// <summary>Shipping credited, tax included.</summary>
    public decimal? Shipping { get; init; }

    /// <summary>Added to the credit (negative for a fee kept back).</summary>
    public decimal? Adjustment { get; init; }

    /// <summary>The whole credit: Σ line amounts + shipping + adjustment.</summary>
    public decimal? Amount { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CreditLineRequest
{
    public int? LineNumber { get; init; }
    public string? Sku { get; init; }
    public decimal? Quantity { get; init; }

    /// <summary>The amount credited for the line, tax included.</summary>
    public decimal? Amount { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ErpSkuSettings
{
    /// <summary>SKUs the ERP does not know, whatever the pattern says.</summary>
    public List<string> RejectedSkus { get; init; } = [];

    /// <summary>When set, a SKU must match it (whole string) to be known.</summary>
    public string? KnownSkuPattern { get; init; }
}

public sealed record SalesOrderReceipt(
    string DocumentNumber,
    string OrderReference,
    int Revision,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <param name="Lines">What this cancellation cancelled, by SKU.</param>
/// <param name="Status">The document's after it: <c>cancelled</c> or <c>partially_cancelled</c>.</param>
public sealed record CancellationReceipt(
    string CancellationNumber,
    string DocumentNumber,
    string OrderReference,
    string Status,
    string? Reason,
    IReadOnlyList<QuantityLine> Lines,
    DateTimeOffset CancelledAt);

public sealed record QuantityLine(string Sku, decimal Quantity);

public sealed record CreditNoteReceipt(
    string CreditNoteNumber,
    string DocumentNumber,
    string OrderReference,
    string? CreditMemoId,
    string Currency,
    decimal Amount,
    DateTimeOffset CreatedAt);

public sealed record SalesOrderSummary(
    string DocumentNumber,
    string OrderReference,
    string Store,
    string OrderNumber,
    int Revision,
    string Currency,
    decimal GrandTotal,
    string Status,
    bool Cancelled,
    decimal CreditedTotal,
    int CreditNotes,
    DateTimeOffset OrderDate,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record SalesOrderPage(IReadOnlyList<SalesOrderSummary> Items, int Page, int PageSize, int TotalCount, int TotalPages);

public sealed record SalesOrderDocumentPayload(
    string DocumentNumber,
    string OrderReference,
    string Store,
    string OrderNumber,
    int Revision,
    string Status,
    DateTimeOffset OrderDate,
    string Currency,
    string? CustomerCode,
    bool Guest,
    ShipToPayload ShipTo,
    IReadOnlyList<ErpLine> Lines,
    ErpTotals Totals,
    bool Cancelled,
    IReadOnlyList<CancellationReceipt> Cancellations,
    IReadOnlyList<CreditNoteReceipt> CreditNotes,
    decimal CreditedTotal,
    IReadOnlyList<RevisionPayload> Revisions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record ShipToPayload(string Country, string? Region);

public sealed record RevisionPayload(int Revision, string OrderNumber, DateTimeOffset ReceivedAt, decimal GrandTotal, int LineCount);

public sealed record ErpLine(int LineNumber, string Sku, string? Description, decimal Quantity, decimal UnitPrice, decimal Discount, decimal Tax)
{
    public decimal LineTotal => Math.Round(Quantity * UnitPrice, 2, MidpointRounding.AwayFromZero) - Discount;
}

public sealed record CreditLine(int LineNumber, string Sku, decimal Quantity, decimal Amount);

public sealed record ErpTotals(decimal Subtotal, decimal Discount, decimal Shipping, decimal Tax, decimal GrandTotal);
