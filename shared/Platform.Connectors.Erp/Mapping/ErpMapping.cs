using System.Globalization;
using System.Text.Json.Nodes;

namespace Platform.Connectors.Erp.Mapping;

public enum ErpTextCase
{
    AsIs,
    Upper,
    Lower,
}

public sealed record ErpTransforms(string SkuPrefix, ErpTextCase SkuCase, ErpTextCase CurrencyCase, int QuantityDecimals);

// A loaded, validated mapping file: which JSON property each neutral field is written to, and how values are
// transformed on the way. Built once at start (ErpMappingLoader); immutable afterwards.
public sealed class ErpMapping
{
    internal ErpMapping(int version, string source, ErpTransforms transforms, IReadOnlyDictionary<string, DocumentMapping> documents)
    {
        Version = version;
        Source = source;
        Transforms = transforms;
        Documents = documents;
    }

    public int Version { get; }

    // Where the mapping came from: a built-in name or a file path.
    public string Source { get; }

    public ErpTransforms Transforms { get; }

    internal IReadOnlyDictionary<string, DocumentMapping> Documents { get; }

    internal JsonObject BuildSalesOrder(ErpSalesOrder order, string operation)
    {
        var values = new NeutralValues(
            new Dictionary<string, object?>
            {
                ["orderReference"] = order.OrderReference,
                ["storeCode"] = order.StoreCode,
                ["orderNumber"] = order.OrderNumber,
                ["revision"] = order.Revision,
                // The storefront's placement time, so the ERP dates the document as the storefront does and a
                // reconciliation window means the same orders on both sides.
                ["orderDate"] = order.OrderDate?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["currency"] = order.Currency,
                ["customerCode"] = order.CustomerCode,
                ["guest"] = order.Guest,
                ["shipTo.country"] = order.ShipTo.Country,
                ["shipTo.region"] = order.ShipTo.Region,
                ["totals.subtotal"] = order.Totals.Subtotal,
                ["totals.shipping"] = order.Totals.Shipping,
                ["totals.discount"] = order.Totals.Discount,
                ["totals.tax"] = order.Totals.Tax,
                ["totals.grandTotal"] = order.Totals.GrandTotal,
            },
            new Dictionary<string, IReadOnlyList<NeutralLine>?>
            {
                ["lines"] = order.Lines.Select(l => new NeutralLine(l.LineNumber, l.Sku, new Dictionary<string, object?>
                {
                    ["lineNumber"] = l.LineNumber,
                    ["sku"] = l.Sku,
                    ["quantity"] = l.Quantity,
                    ["unitPrice"] = l.UnitPrice,
                    ["discount"] = l.Discount,
                    ["tax"] = l.Tax,
                    ["lineTotal"] = l.LineTotal,
                })).ToList(),
            });
        return Build(ErpMappingSchema.SalesOrder, values, operation, order.IdempotencyKey);
    }

    internal JsonObject BuildCancellation(ErpCancellation cancellation, string operation)
    {
        var values = new NeutralValues(
            new Dictionary<string, object?> { ["reason"] = cancellation.Reason },
            new Dictionary<string, IReadOnlyList<NeutralLine>?>
            {
                ["lines"] = cancellation.Lines?.Select(l => new NeutralLine(l.LineNumber, l.Sku, new Dictionary<string, object?>
                {
                    ["lineNumber"] = l.LineNumber,
                    ["sku"] = l.Sku,
                    ["quantity"] = l.Quantity,
                })).ToList(),
            });
        return Build(ErpMappingSchema.Cancellation, values, operation, cancellation.IdempotencyKey);
    }

    internal JsonObject BuildCreditNote(ErpCreditNote creditNote, string operation)
    {
        var values = new NeutralValues(
            new Dictionary<string, object?>
            {
                ["documentNumber"] = creditNote.DocumentNumber,
                ["creditMemoId"] = creditNote.CreditMemoId,
                ["amount"] = creditNote.Amount,
                ["currency"] = creditNote.Currency,
            },
            new Dictionary<string, IReadOnlyList<NeutralLine>?>
            {
                ["lines"] = creditNote.Lines.Select(l => new NeutralLine(l.LineNumber, l.Sku, new Dictionary<string, object?>
                {
                    ["lineNumber"] = l.LineNumber,
                    ["sku"] = l.Sku,
                    ["quantity"] = l.Quantity,
                    ["amount"] = l.Amount,
                })).ToList(),
            });
        return Build(ErpMappingSchema.CreditNote, values, operation, creditNote.IdempotencyKey);
    }

    internal string TransformSku(string sku)
    {
        var prefixed = Transforms.SkuPrefix + sku;
        return ApplyCase(prefixed, Transforms.SkuCase);
    }

    // Properties are written in the order of the mapping file, so one order always gives the same bytes: an
    // ERP that compares a replayed request with the first one by its body sees an exact match.
    private JsonObject Build(string document, NeutralValues values, string operation, string idempotencyKey)
    {
        var fields = Documents[document].Fields;
        var root = new JsonObject();
        var writtenCollections = new HashSet<string>(StringComparer.Ordinal);
        foreach (var mapping in fields)
        {
            if (mapping.Target is not { } target)
            {
                continue;
            }

            if (mapping.Field.Collection is not { } collection)
            {
                Set(root, target.Segments, Convert(mapping.Field, values.Scalars[mapping.Field.Path], null, operation, idempotencyKey));
                continue;
            }

            if (!writtenCollections.Add(collection) || values.Collections[collection] is not { } lines)
            {
                // An absent collection (a whole-order cancellation) leaves the array out rather than sending [].
                continue;
            }

            var array = new JsonArray();
            foreach (var line in lines)
            {
                var element = new JsonObject();
                foreach (var lineField in fields.Where(f => f.Field.Collection == collection && f.Target is not null))
                {
                    Set(element, lineField.Target!.Segments,
                        Convert(lineField.Field, line.Values[lineField.Field.ElementPath], line, operation, idempotencyKey));
                }

                array.Add(element);
            }

            Set(root, target.Container, array);
        }

        return root;
    }

    private JsonNode? Convert(NeutralField field, object? value, NeutralLine? line, string operation, string idempotencyKey)
    {
        if (value is null)
        {
            return null;
        }

        return field.Kind switch
        {
            ErpValueKind.Text => JsonValue.Create((string)value),
            ErpValueKind.Integer => JsonValue.Create((int)value),
            ErpValueKind.Flag => JsonValue.Create((bool)value),
            ErpValueKind.Sku => JsonValue.Create(TransformSku((string)value)),
            ErpValueKind.Currency => JsonValue.Create(ApplyCase((string)value, Transforms.CurrencyCase)),
            ErpValueKind.Quantity => JsonValue.Create(CheckQuantity((decimal)value, line, operation, idempotencyKey)),
            ErpValueKind.Amount => JsonValue.Create(Normalize((decimal)value)),
            _ => throw new InvalidOperationException($"no conversion for {field.Kind}"),
        };
    }

    private decimal CheckQuantity(decimal quantity, NeutralLine? line, string operation, string idempotencyKey)
    {
        // Rounding a quantity would ship or bill a different amount than was ordered; refusing sends the
        // order to a person instead.
        if (decimal.Round(quantity, Transforms.QuantityDecimals) != quantity)
        {
            var where = line is null ? "" : $" of line {line.LineNumber.ToString(CultureInfo.InvariantCulture)}";
            throw new ErpRejectedException(
                operation,
                null,
                $"quantity {quantity.ToString(CultureInfo.InvariantCulture)}{where} has more than the {Transforms.QuantityDecimals} decimals mapping version {Version} allows",
                line?.Sku,
                idempotencyKey);
        }

        return Normalize(quantity);
    }

    // 2.0000 (Magento's database scale) and 2 are the same number; writing both the same way keeps bodies stable.
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    private static string ApplyCase(string value, ErpTextCase textCase) => textCase switch
    {
        ErpTextCase.Upper => value.ToUpperInvariant(),
        ErpTextCase.Lower => value.ToLowerInvariant(),
        _ => value,
    };

    private static void Set(JsonObject root, IReadOnlyList<string> segments, JsonNode? value)
    {
        var parent = root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            if (parent[segments[i]] is not JsonObject child)
            {
                child = new JsonObject();
                parent[segments[i]] = child;
            }

            parent = child;
        }

        parent[segments[^1]] = value;
    }
}

// Target: for a field outside a collection, Segments is the whole path and Container is empty; for a line
// field, Container leads to the array and Segments is the path inside each element.
internal sealed record TargetPath(string Text, IReadOnlyList<string> Container, IReadOnlyList<string> Segments);

internal sealed record FieldMapping(NeutralField Field, TargetPath? Target);

internal sealed record DocumentMapping(string Name, IReadOnlyList<FieldMapping> Fields);

internal sealed record NeutralLine(int LineNumber, string Sku, IReadOnlyDictionary<string, object?> Values);

internal sealed record NeutralValues(
    IReadOnlyDictionary<string, object?> Scalars, IReadOnlyDictionary<string, IReadOnlyList<NeutralLine>?> Collections);
