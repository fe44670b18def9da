using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Sandbox.Systems.Erp;

/// <summary>A sales order request that passed validation; without an order date the ERP dates it on receipt.</summary>
public sealed record ValidSalesOrder(
    string OrderReference,
    string Store,
    string OrderNumber,
    int Revision,
    DateTimeOffset? OrderDate,
    string Currency,
    string? CustomerCode,
    bool Guest,
    ShipToPayload ShipTo,
    IReadOnlyList<ErpLine> Lines,
    ErpTotals Totals)
{
    /// <summary>The <c>lineTotal</c> each line was sent with, if any, parallel to <see cref="Lines"/>.</summary>
    public IReadOnlyList<decimal?> DeclaredLineTotals { get; init; } = [];
}

public sealed record ValidCreditNote(
    string DocumentNumber,
    string? CreditMemoId,
    string Currency,
    IReadOnlyList<CreditLine> Lines,
    decimal Shipping,
    decimal Adjustment,
    decimal Amount);

/// <param name="Lines">None cancels everything not cancelled yet.</param>
public sealed record ValidCancellation(string? Reason, IReadOnlyList<QuantityLine>? Lines);

/// <summary>An answer of the ERP: a body with its status, or a problem (RFC 9457) with the ERP's error code.</summary>
public sealed record ErpAnswer(int Status, object? Body, string? Location = null, bool Replayed = false, ErpProblem? Problem = null)
{
    public static ErpAnswer Refused(int status, string code, string title, string detail, Dictionary<string, object?>? extensions = null) =>
        new(status, null, Problem: new ErpProblem(status, code, title, detail, extensions ?? []));
}

public sealed record ErpProblem(int Status, string Code, string Title, string Detail, Dictionary<string, object?> Extensions);

/// <summary>
/// Which SKUs the ERP knows: all, unless <c>KnownSkuPattern</c> is set (then those matching it), minus
/// <c>RejectedSkus</c>. Set from configuration and replaced at run time.
/// </summary>
public sealed class ErpSkuPolicy
{
    private volatile Policy _policy;

    public ErpSkuPolicy(ErpSkuSettings settings) => _policy = Compile(settings);

    public ErpSkuSettings Settings => _policy.Settings;

    /// <returns>Null, or why the settings are invalid (they are then not applied).</returns>
    public static string? Problem(ErpSkuSettings settings)
    {
        try
        {
            Compile(settings);
            return null;
        }
        catch (ArgumentException exception)
        {
            return "knownSkuPattern is not a valid regular expression: " + exception.Message;
        }
    }

    public void Apply(ErpSkuSettings settings) => _policy = Compile(settings);

    public bool Knows(string sku)
    {
        var policy = _policy;
        return !policy.Rejected.Contains(sku) && (policy.Pattern is null || policy.Pattern.IsMatch(sku));
    }

    private static Policy Compile(ErpSkuSettings settings) => new(
        settings,
        settings.RejectedSkus.ToHashSet(StringComparer.Ordinal),
        string.IsNullOrEmpty(settings.KnownSkuPattern)
            ? null
            : new Regex("^(?:" + settings.KnownSkuPattern + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)));

    private sealed record Policy(ErpSkuSettings Settings, HashSet<string> Rejected, Regex? Pattern);
}

/// <summary>
/// The ERP's books: one sales document per order reference with all its revisions, cancellations and credit notes, and
/// the outcome of every Idempotency-Key, all in memory under one lock. Counters (per order reference) let a test prove
/// that the ERP holds each order exactly once: <c>erp.orders.received</c>, <c>.created</c>, <c>.duplicates_refused</c>,
/// <c>.revisions</c>, <c>.rejected</c>, <c>.conflicts</c>, <c>erp.cancellations</c>, <c>erp.credit_notes</c> and their
/// <c>.duplicates_refused</c> and <c>.rejected</c>, and <c>erp.idempotency.key_reused</c> (a key sent again with another request).
/// </summary>
public sealed class ErpLedger(ErpSkuPolicy skus, SandboxCounters counters, TimeProvider time)
{
    public const string SalesOrderOperation = "sales-order";
    public const string CreditNoteOperation = "credit-note";

    public static string CancellationOperation(string documentNumber) => "cancellation:" + documentNumber;

    private readonly Lock _gate = new();
    private readonly List<Document> _documents = [];
    private readonly Dictionary<string, Document> _byNumber = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Document> _byReference = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KeyOutcome> _keys = new(StringComparer.Ordinal);
    private long _lastCancellation;
    private long _lastCreditNote;

    public static string Fingerprint<T>(string operation, T request) =>
        operation + ":" + Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, SystemJson.CamelCase)));

    public ErpAnswer SubmitSalesOrder(string key, string fingerprint, ValidSalesOrder order)
    {
        lock (_gate)
        {
            counters.Increment("erp.orders.received", order.OrderReference);
            if (Replay(key, fingerprint, "erp.orders.duplicates_refused") is { } replay)
            {
                return replay;
            }

            if (UnknownSkus(order.Lines) is { } unknown)
            {
                counters.Increment("erp.orders.rejected", order.OrderReference);
                return unknown;
            }

            if (TotalsProblem(order) is { } totals)
            {
                counters.Increment("erp.orders.rejected", order.OrderReference);
                return totals;
            }

            var now = time.GetUtcNow();
            _byReference.TryGetValue(order.OrderReference, out var document);
            var revision = new Revision(order with { OrderDate = order.OrderDate ?? document?.Current.Order.OrderDate ?? now }, key, now);
            int status;
            if (document is not null)
            {
                if (RevisionConflict(document, order) is { } conflict)
                {
                    counters.Increment("erp.orders.conflicts", order.OrderReference);
                    return conflict;
                }

                document.Revisions.Add(revision);
                document.UpdatedAt = now;
                counters.Increment("erp.orders.revisions", order.OrderReference);
                status = StatusCodes.Status201Created;
            }
            else
            {
                document = new Document(
                    "SO-" + (_documents.Count + 1).ToString("D6", CultureInfo.InvariantCulture), order.OrderReference, order.Store, now);
                document.Revisions.Add(revision);
                document.UpdatedAt = now;
                _documents.Add(document);
                _byNumber[document.Number] = document;
                _byReference[order.OrderReference] = document;
                counters.Increment("erp.orders.created", order.OrderReference);
                status = StatusCodes.Status201Created;
            }

            var receipt = new SalesOrderReceipt(document.Number, document.OrderReference, order.Revision, document.Status, document.CreatedAt, document.UpdatedAt);
            return Remember(key, fingerprint, new ErpAnswer(status, receipt, DocumentPath(document.Number)));
        }
    }

    public ErpAnswer Cancel(string key, string fingerprint, string documentNumber, ValidCancellation cancellation)
    {
        lock (_gate)
        {
            if (Replay(key, fingerprint, "erp.cancellations.duplicates_refused") is { } replay)
            {
                return replay;
            }

            if (!_byNumber.TryGetValue(documentNumber, out var document))
            {
                return NoSuchDocument(documentNumber);
            }

            if (document.FullyCancelled)
            {
                counters.Increment("erp.cancellations.rejected", document.OrderReference);
                var last = document.Cancellations[^1].CancellationNumber;
                return ErpAnswer.Refused(StatusCodes.Status409Conflict, "ALREADY_CANCELLED", "The sales order is already cancelled",
                    $"Sales order {documentNumber} was cancelled by {last}.",
                    new() { ["documentNumber"] = documentNumber, ["cancellationNumber"] = last });
            }

            var open = document.OpenQuantities();
            var lines = cancellation.Lines is null
                ? open.Where(pair => pair.Value > 0).Select(pair => new QuantityLine(pair.Key, pair.Value)).ToList()
                : cancellation.Lines.GroupBy(line => line.Sku, StringComparer.Ordinal)
                    .Select(group => new QuantityLine(group.Key, group.Sum(line => line.Quantity))).ToList();
            foreach (var line in lines)
            {
                var left = open.GetValueOrDefault(line.Sku);
                if (line.Quantity > left)
                {
                    counters.Increment("erp.cancellations.rejected", document.OrderReference);
                    return ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "QUANTITY_EXCEEDS_ORDER", "More cancelled than open",
                        $"Item '{line.Sku}': {Text(left)} open on sales order {documentNumber}, this cancellation {Text(line.Quantity)}.",
                        new() { ["sku"] = line.Sku });
                }
            }

            var now = time.GetUtcNow();
            foreach (var line in lines)
            {
                document.CancelledBySku[line.Sku] = document.CancelledBySku.GetValueOrDefault(line.Sku) + line.Quantity;
            }

            var receipt = new CancellationReceipt(
                "CA-" + (++_lastCancellation).ToString("D6", CultureInfo.InvariantCulture), documentNumber, document.OrderReference,
                document.OpenQuantities().Values.All(quantity => quantity <= 0) ? "cancelled" : "partially_cancelled",
                cancellation.Reason, lines, now);
            document.Cancellations.Add(receipt);
            document.UpdatedAt = now;
            counters.Increment("erp.cancellations", document.OrderReference);
            return Remember(key, fingerprint, new ErpAnswer(StatusCodes.Status201Created, receipt, DocumentPath(documentNumber)));
        }
    }

    public ErpAnswer Credit(string key, string fingerprint, ValidCreditNote note)
    {
        lock (_gate)
        {
            if (Replay(key, fingerprint, "erp.credit_notes.duplicates_refused") is { } replay)
            {
                return replay;
            }

            if (!_byNumber.TryGetValue(note.DocumentNumber, out var document))
            {
                counters.Increment("erp.credit_notes.rejected", note.DocumentNumber);
                return ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "UNKNOWN_DOCUMENT", "Unknown sales order",
                    $"There is no sales order {note.DocumentNumber} to credit.", new() { ["documentNumber"] = note.DocumentNumber });
            }

            var problem = CreditProblem(document, note);
            if (problem is not null)
            {
                counters.Increment("erp.credit_notes.rejected", document.OrderReference);
                return problem;
            }

            var now = time.GetUtcNow();
            var receipt = new CreditNoteReceipt(
                "CN-" + (++_lastCreditNote).ToString("D6", CultureInfo.InvariantCulture), document.Number, document.OrderReference,
                note.CreditMemoId, note.Currency, note.Amount, now);
            document.CreditNotes.Add((receipt, note));
            document.UpdatedAt = now;
            counters.Increment("erp.credit_notes", document.OrderReference);
            return Remember(key, fingerprint, new ErpAnswer(StatusCodes.Status201Created, receipt, DocumentPath(document.Number)));
        }
    }

    public SalesOrderDocumentPayload? Get(string documentNumber)
    {
        lock (_gate)
        {
            return _byNumber.TryGetValue(documentNumber, out var document) ? document.ToPayload() : null;
        }
    }

    /// <param name="from">Inclusive, on the order date.</param>
    /// <param name="to">Exclusive, on the order date.</param>
    public SalesOrderPage List(DateTimeOffset? from, DateTimeOffset? to, string? store, string? orderReference, int page, int pageSize)
    {
        List<SalesOrderSummary> matches;
        lock (_gate)
        {
            matches = _documents
                .Where(document => (from is null || document.OrderDate >= from)
                    && (to is null || document.OrderDate < to)
                    && (store is null || document.Store == store)
                    && (orderReference is null || document.OrderReference == orderReference))
                .Select(document => document.ToSummary())
                .ToList();
        }

        matches.Sort((a, b) => a.OrderDate.CompareTo(b.OrderDate) is var byDate and not 0 ? byDate : string.CompareOrdinal(a.DocumentNumber, b.DocumentNumber));
        var totalPages = (matches.Count + pageSize - 1) / pageSize;
        var items = matches.Skip((int)Math.Min(int.MaxValue, (long)(page - 1) * pageSize)).Take(pageSize).ToList();
        return new SalesOrderPage(items, page, pageSize, matches.Count, totalPages);
    }

    private ErpAnswer? Replay(string key, string fingerprint, string duplicateCounter)
    {
        if (!_keys.TryGetValue(key, out var outcome))
        {
            return null;
        }

        if (outcome.Fingerprint != fingerprint)
        {
            counters.Increment("erp.idempotency.key_reused", outcome.OrderReference);
            return ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key reused",
                "This Idempotency-Key was used before for a different request; send a new key for a new request.",
                new() { ["idempotencyKey"] = key });
        }

        counters.Increment(duplicateCounter, outcome.OrderReference);
        return outcome.Answer with { Status = StatusCodes.Status200OK, Replayed = true };
    }

    private ErpAnswer Remember(string key, string fingerprint, ErpAnswer answer)
    {
        var reference = answer.Body switch
        {
            SalesOrderReceipt receipt => receipt.OrderReference,
            CancellationReceipt cancellation => cancellation.OrderReference,
            CreditNoteReceipt credit => credit.OrderReference,
            _ => "",
        };
        _keys[key] = new KeyOutcome(fingerprint, reference, answer);
        return answer;
    }

    private ErpAnswer? UnknownSkus(IEnumerable<ErpLine> lines)
    {
        var unknown = lines.Select(line => line.Sku).Where(sku => !skus.Knows(sku)).Distinct(StringComparer.Ordinal).ToList();
        return unknown.Count == 0
            ? null
            : ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "UNKNOWN_SKU", "Unknown item",
                $"Item {string.Join(", ", unknown.Select(sku => $"'{sku}'"))} does not exist in the item master.",
                new() { ["sku"] = unknown[0], ["skus"] = unknown });
    }

    private static ErpAnswer? TotalsProblem(ValidSalesOrder order)
    {
        var subtotal = order.Lines.Sum(line => Round(line.Quantity * line.UnitPrice));
        var discount = order.Lines.Sum(line => line.Discount);
        var totals = order.Totals;
        var expectedGrand = totals.Subtotal - totals.Discount + totals.Shipping + totals.Tax;
        var mismatches = new List<string>();
        for (var i = 0; i < order.DeclaredLineTotals.Count; i++)
        {
            if (order.DeclaredLineTotals[i] is { } declared && Math.Abs(declared - order.Lines[i].LineTotal) > 0.01m)
            {
                mismatches.Add($"line {order.Lines[i].LineNumber}: lineTotal {Text(declared)} is not quantity × unitPrice − discount ({Text(order.Lines[i].LineTotal)})");
            }
        }

        if (Math.Abs(totals.Subtotal - subtotal) > 0.01m)
        {
            mismatches.Add($"subtotal {Text(totals.Subtotal)} is not the sum of quantity × unitPrice ({Text(subtotal)})");
        }

        if (Math.Abs(totals.Discount - discount) > 0.01m)
        {
            mismatches.Add($"discount {Text(totals.Discount)} is not the sum of the line discounts ({Text(discount)})");
        }

        if (totals.Tax + 0.01m < order.Lines.Sum(line => line.Tax))
        {
            mismatches.Add($"tax {Text(totals.Tax)} is less than the sum of the line taxes ({Text(order.Lines.Sum(line => line.Tax))})");
        }

        if (Math.Abs(totals.GrandTotal - expectedGrand) > 0.01m)
        {
            mismatches.Add($"grandTotal {Text(totals.GrandTotal)} is not subtotal − discount + shipping + tax ({Text(expectedGrand)})");
        }

        return mismatches.Count == 0
            ? null
            : ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "TOTALS_MISMATCH", "The totals do not add up",
                string.Join("; ", mismatches) + ".", new() { ["mismatches"] = mismatches });
    }

    private static ErpAnswer? RevisionConflict(Document document, ValidSalesOrder order)
    {
        var current = document.Current;
        var details = new Dictionary<string, object?> { ["documentNumber"] = document.Number, ["currentRevision"] = current.Order.Revision };
        if (document.FullyCancelled)
        {
            return ErpAnswer.Refused(StatusCodes.Status409Conflict, "DOCUMENT_CANCELLED", "The sales order is cancelled",
                $"Sales order {document.Number} for {document.OrderReference} is cancelled and cannot be revised.", details);
        }

        if (order.Store != document.Store)
        {
            return ErpAnswer.Refused(StatusCodes.Status409Conflict, "REFERENCE_CONFLICT", "The order reference belongs to another store",
                $"Order reference {order.OrderReference} is sales order {document.Number} of store '{document.Store}', not '{order.Store}'.", details);
        }

        return order.Revision == current.Order.Revision
            ? ErpAnswer.Refused(StatusCodes.Status409Conflict, "REVISION_EXISTS", "This revision is already booked",
                $"Revision {order.Revision} of {order.OrderReference} is already booked as {document.Number} under another Idempotency-Key; " +
                "a retry must reuse the key of the first attempt.", details)
            : order.Revision < current.Order.Revision
                ? ErpAnswer.Refused(StatusCodes.Status409Conflict, "STALE_REVISION", "A newer revision is booked",
                    $"Sales order {document.Number} is at revision {current.Order.Revision}; revision {order.Revision} is older.", details)
                : null;
    }

    private static ErpAnswer? CreditProblem(Document document, ValidCreditNote note)
    {
        var current = document.Current.Order;
        if (note.Currency != current.Currency)
        {
            return ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "CURRENCY_MISMATCH", "Wrong currency",
                $"Sales order {document.Number} is in {current.Currency}, the credit note in {note.Currency}.");
        }

        var computed = note.Lines.Sum(line => line.Amount) + note.Shipping + note.Adjustment;
        if (Math.Abs(computed - note.Amount) > 0.01m)
        {
            return ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "TOTALS_MISMATCH", "The totals do not add up",
                $"amount {Text(note.Amount)} is not Σ line amounts + shipping + adjustment ({Text(computed)}).");
        }

        foreach (var sku in note.Lines.Select(line => line.Sku).Distinct(StringComparer.Ordinal))
        {
            var ordered = current.Lines.Where(line => line.Sku == sku).Sum(line => line.Quantity);
            var credited = document.CreditNotes.SelectMany(credit => credit.Note.Lines).Where(line => line.Sku == sku).Sum(line => line.Quantity);
            var asked = note.Lines.Where(line => line.Sku == sku).Sum(line => line.Quantity);
            if (credited + asked > ordered)
            {
                return ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "QUANTITY_EXCEEDS_ORDER", "More credited than ordered",
                    $"Item '{sku}': ordered {Text(ordered)}, credited {Text(credited)}, this credit note {Text(asked)}.",
                    new() { ["sku"] = sku });
            }
        }

        var creditedTotal = document.CreditedTotal;
        if (creditedTotal + note.Amount > current.Totals.GrandTotal + 0.005m)
        {
            return ErpAnswer.Refused(StatusCodes.Status422UnprocessableEntity, "CREDIT_EXCEEDS_ORDER", "More credited than ordered",
                $"Sales order {document.Number} totals {Text(current.Totals.GrandTotal)}, {Text(creditedTotal)} is credited already; " +
                $"{Text(note.Amount)} more is too much.");
        }

        return null;
    }

    private static ErpAnswer NoSuchDocument(string documentNumber) => ErpAnswer.Refused(StatusCodes.Status404NotFound, "DOCUMENT_NOT_FOUND",
        "Sales order not found", $"There is no sales order {documentNumber}.", new() { ["documentNumber"] = documentNumber });

    private static string DocumentPath(string documentNumber) => "/erp/api/v1/sales-orders/" + documentNumber;

    private static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    private static string Text(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    private sealed record KeyOutcome(string Fingerprint, string OrderReference, ErpAnswer Answer);

    private sealed record Revision(ValidSalesOrder Order, string IdempotencyKey, DateTimeOffset ReceivedAt);

    private sealed class Document(string number, string orderReference, string store, DateTimeOffset createdAt)
    {
        public string Number { get; } = number;
        public string OrderReference { get; } = orderReference;
        public string Store { get; } = store;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public DateTimeOffset UpdatedAt { get; set; } = createdAt;
        public List<Revision> Revisions { get; } = [];
        public List<CancellationReceipt> Cancellations { get; } = [];
        public Dictionary<string, decimal> CancelledBySku { get; } = new(StringComparer.Ordinal);
        public List<(CreditNoteReceipt Receipt, ValidCreditNote Note)> CreditNotes { get; } = [];

        public Revision Current => Revisions[^1];

        public DateTimeOffset OrderDate => Current.Order.OrderDate!.Value;

        public decimal CreditedTotal => CreditNotes.Sum(credit => credit.Note.Amount);

        /// <summary>Every SKU of the current revision cancelled in full (a later revision may order more again).</summary>
        public bool FullyCancelled => Cancellations.Count > 0 && OpenQuantities().Values.All(quantity => quantity <= 0);

        public Dictionary<string, decimal> OpenQuantities() => Current.Order.Lines
            .GroupBy(line => line.Sku, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Sum(line => line.Quantity) - CancelledBySku.GetValueOrDefault(group.Key), StringComparer.Ordinal);

        public string Status => FullyCancelled ? "cancelled"
            : CreditNotes.Count > 0 ? CreditedTotal >= Current.Order.Totals.GrandTotal ? "credited" : "partially_credited"
            : Cancellations.Count > 0 ? "partially_cancelled"
            : "open";

        public SalesOrderSummary ToSummary() => new(
            Number, OrderReference, Store, Current.Order.OrderNumber, Current.Order.Revision, Current.Order.Currency,
            Current.Order.Totals.GrandTotal, Status, FullyCancelled, CreditedTotal, CreditNotes.Count,
            OrderDate, CreatedAt, UpdatedAt);

        public SalesOrderDocumentPayload ToPayload()
        {
            var order = Current.Order;
            return new SalesOrderDocumentPayload(
                Number, OrderReference, Store, order.OrderNumber, order.Revision, Status, OrderDate, order.Currency,
                order.CustomerCode, order.Guest, order.ShipTo, order.Lines, order.Totals, FullyCancelled, Cancellations,
                [.. CreditNotes.Select(credit => credit.Receipt)], CreditedTotal,
                [.. Revisions.Select(revision => new RevisionPayload(revision.Order.Revision, revision.Order.OrderNumber, revision.ReceivedAt,
                    revision.Order.Totals.GrandTotal, revision.Order.Lines.Count))],
                CreatedAt, UpdatedAt);
        }
    }
}
