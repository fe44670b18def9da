using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Connectors.Magento;

// Reads the MSI and bulk API answers field by field, like MagentoOrderParser: unknown fields are ignored,
// numbers sent as strings are tolerated, and a missing required field fails naming its path.
internal static partial class MagentoInventoryParser
{
    private const int MaximumMessageLength = 500;

    public static MagentoSourceItemPage ParseSourceItemPage(JsonElement root, int currentPage, int pageSize)
    {
        const string what = "Magento source item list";
        RequireObject(root, what, "the response");
        var totalCount = (int)RequiredLong(root, "total_count", what, "total_count");
        var items = new List<MagentoSourceItem>();
        if (Optional(root, "items") is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new MagentoPayloadException($"{what}: items is a JSON {list.ValueKind}, not an array");
            }

            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"items[{index++}]";
                RequireObject(item, what, path);
                var status = RequiredLong(item, "status", what, $"{path}.status");
                items.Add(new MagentoSourceItem(
                    RequiredString(item, "sku", what, $"{path}.sku"),
                    RequiredString(item, "source_code", what, $"{path}.source_code"),
                    RequiredDecimal(item, "quantity", what, $"{path}.quantity"),
                    status switch
                    {
                        0 => MagentoSourceItemStatus.OutOfStock,
                        1 => MagentoSourceItemStatus.InStock,
                        _ => throw new MagentoPayloadException($"{what}: {path}.status must be 0 or 1"),
                    }));
            }
        }

        return new MagentoSourceItemPage(items, totalCount, currentPage, pageSize);
    }

    public static MagentoBulkAccepted ParseBulkAccepted(JsonElement root)
    {
        const string what = "Magento async bulk answer";
        RequireObject(root, what, "the response");
        var items = new List<MagentoBulkRequestItem>();
        var index = 0;
        foreach (var item in RequiredArray(root, "request_items", what, "request_items"))
        {
            var path = $"request_items[{index++}]";
            RequireObject(item, what, path);
            var status = RequiredString(item, "status", what, $"{path}.status") switch
            {
                "accepted" => MagentoBulkRequestItemStatus.Accepted,
                "rejected" => MagentoBulkRequestItemStatus.Rejected,
                var other => throw new MagentoPayloadException($"{what}: {path}.status '{other}' is neither accepted nor rejected"),
            };
            items.Add(new MagentoBulkRequestItem(
                (int)RequiredLong(item, "id", what, $"{path}.id"),
                status,
                OptionalString(item, "data_hash"),
                OptionalString(item, "error_message") is { } message ? Truncate(message) : null,
                LenientLong(item, "error_code")));
        }

        var errors = Optional(root, "errors") is { ValueKind: JsonValueKind.True };
        return new MagentoBulkAccepted(RequiredString(root, "bulk_uuid", what, "bulk_uuid"), items, errors);
    }

    public static MagentoBulkStatus ParseBulkStatus(JsonElement root, string bulkUuid)
    {
        var what = $"Magento bulk {bulkUuid} status";
        RequireObject(root, what, "the response");
        var operations = new List<MagentoBulkOperation>();
        var index = 0;
        foreach (var operation in RequiredArray(root, "operations_list", what, "operations_list"))
        {
            var path = $"operations_list[{index++}]";
            RequireObject(operation, what, path);
            var status = RequiredLong(operation, "status", what, $"{path}.status");
            if (status is < 1 or > 5)
            {
                throw new MagentoPayloadException($"{what}: {path}.status {status.ToString(CultureInfo.InvariantCulture)} is not an operation status (1 to 5)");
            }

            operations.Add(new MagentoBulkOperation(
                RequiredLong(operation, "id", what, $"{path}.id"),
                (MagentoBulkOperationStatus)status,
                OptionalString(operation, "result_message") is { } message ? Truncate(message) : null,
                LenientLong(operation, "error_code")));
        }

        return new MagentoBulkStatus(
            OptionalString(root, "bulk_id") ?? bulkUuid,
            OptionalString(root, "description"),
            // Older answers leave the count out; then the list is all there is.
            Optional(root, "operation_count") is not null
                ? (int)RequiredLong(root, "operation_count", what, "operation_count")
                : operations.Count,
            operations);
    }

    // Magento's error body: {"message":"... %name ... %1 ...","parameters":{...} or [...],"errors":[{"message","parameters"}]}.
    // Anything else (an HTML error page from a proxy) still gives a rejection, with the status as its message.
    public static MagentoRejectedException ParseRejection(string operation, HttpStatusCode statusCode, string? reasonPhrase, string body)
    {
        var fallback = $"{(int)statusCode} {reasonPhrase}".TrimEnd();
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || OptionalString(root, "message") is not { Length: > 0 } template)
            {
                return new MagentoRejectedException(operation, statusCode, fallback, fallback, new Dictionary<string, string>(), []);
            }

            var parameters = ReadParameters(root);
            var errors = new List<string>();
            if (Optional(root, "errors") is { ValueKind: JsonValueKind.Array } list)
            {
                foreach (var error in list.EnumerateArray())
                {
                    if (error.ValueKind == JsonValueKind.Object && OptionalString(error, "message") is { Length: > 0 } errorTemplate)
                    {
                        errors.Add(Truncate(Fill(errorTemplate, ReadParameters(error))));
                    }
                }
            }

            return new MagentoRejectedException(operation, statusCode, Truncate(Fill(template, parameters)), Truncate(template), parameters, errors);
        }
        catch (JsonException)
        {
            return new MagentoRejectedException(operation, statusCode, fallback, fallback, new Dictionary<string, string>(), []);
        }
    }

    // Magento phrases name their placeholders (%field) or number them from 1 (%1); a placeholder without a
    // parameter is left as it is.
    internal static string Fill(string template, IReadOnlyDictionary<string, string> parameters) =>
        PlaceholderPattern().Replace(template, match =>
            parameters.TryGetValue(match.Groups[1].Value, out var value) ? value : match.Value);

    private static Dictionary<string, string> ReadParameters(JsonElement parent)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (Optional(parent, "parameters"))
        {
            case { ValueKind: JsonValueKind.Object } named:
                foreach (var property in named.EnumerateObject())
                {
                    parameters[property.Name] = Text(property.Value);
                }

                break;
            case { ValueKind: JsonValueKind.Array } positional:
                var number = 1;
                foreach (var value in positional.EnumerateArray())
                {
                    parameters[(number++).ToString(CultureInfo.InvariantCulture)] = Text(value);
                }

                break;
        }

        return parameters;

        static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
    }

    private static string Truncate(string text) => text.Length > MaximumMessageLength ? text[..MaximumMessageLength] : text;

    private static void RequireObject(JsonElement element, string what, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new MagentoPayloadException($"{what}: {path} is a JSON {element.ValueKind}, not an object");
        }
    }

    private static JsonElement? Optional(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value
            : null;

    private static JsonElement.ArrayEnumerator RequiredArray(JsonElement parent, string name, string what, string path) =>
        Optional(parent, name) switch
        {
            { ValueKind: JsonValueKind.Array } array => array.EnumerateArray(),
            null => throw new MagentoPayloadException($"{what}: {path} is missing"),
            var other => throw new MagentoPayloadException($"{what}: {path} is a JSON {other.Value.ValueKind}, not an array"),
        };

    private static string? OptionalString(JsonElement parent, string name) =>
        Optional(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static string RequiredString(JsonElement parent, string name, string what, string path) =>
        Optional(parent, name) switch
        {
            { ValueKind: JsonValueKind.String } value when value.GetString() is { Length: > 0 } text => text,
            null => throw new MagentoPayloadException($"{what}: {path} is missing"),
            { ValueKind: JsonValueKind.String } => throw new MagentoPayloadException($"{what}: {path} is empty"),
            var other => throw new MagentoPayloadException($"{what}: {path} is a JSON {other.Value.ValueKind}, not a string"),
        };

    private static long RequiredLong(JsonElement parent, string name, string what, string path)
    {
        var value = Optional(parent, name) ?? throw new MagentoPayloadException($"{what}: {path} is missing");
        return TryLong(value, out var number)
            ? number
            : throw new MagentoPayloadException($"{what}: {path} is not a whole number");
    }

    // Error codes are informative only; one Magento sends oddly must not cost the whole answer.
    private static long? LenientLong(JsonElement parent, string name) =>
        Optional(parent, name) is { } value && TryLong(value, out var number) ? number : null;

    private static bool TryLong(JsonElement value, out long number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out number),
            JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    private static decimal RequiredDecimal(JsonElement parent, string name, string what, string path)
    {
        var value = Optional(parent, name) ?? throw new MagentoPayloadException($"{what}: {path} is missing");
        var number = 0m;
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out number),
            JsonValueKind.String => decimal.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
        return ok ? number : throw new MagentoPayloadException($"{what}: {path} is not a number");
    }

    [GeneratedRegex(@"%(\w+)")]
    private static partial Regex PlaceholderPattern();
}
