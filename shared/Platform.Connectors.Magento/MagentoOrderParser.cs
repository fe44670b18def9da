using System.Globalization;
using System.Text.Json;

namespace Platform.Connectors.Magento;

// Reads orders field by field rather than through a serializer: unknown fields are ignored, Magento's habit
// of sending numbers as strings is tolerated, and a missing required field fails with its full path
// (e.g. "items[1].sku") instead of a serializer message without context.
internal static class MagentoOrderParser
{
    // Magento stores and returns timestamps in UTC without an offset.
    internal const string TimestampFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly string[] AcceptedTimestampFormats = [TimestampFormat, "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss'Z'"];

    public static MagentoOrder ParseOrder(JsonElement order)
    {
        var context = new OrderContext(order);
        if (order.ValueKind != JsonValueKind.Object)
        {
            throw context.Fail($"the order is a JSON {order.ValueKind}, not an object");
        }

        var items = RequiredArray(order, "items", "items", context)
            .Select((item, index) => ParseItem(item, $"items[{index}]", context))
            .ToList();
        var shipping = FindShippingAddress(order, context);
        var billing = Optional(order, "billing_address") is { } billingElement
            ? ParseAddress(billingElement, "billing_address", context)
            : null;
        var customerId = OptionalLong(order, "customer_id", "customer_id", context);

        return new MagentoOrder
        {
            EntityId = context.EntityId ?? throw context.Fail("entity_id is missing"),
            IncrementId = context.IncrementId ?? throw context.Fail("increment_id is missing"),
            StoreId = (int)RequiredLong(order, "store_id", "store_id", context),
            CreatedAt = RequiredTimestamp(order, "created_at", context),
            UpdatedAt = RequiredTimestamp(order, "updated_at", context),
            Status = RequiredString(order, "status", "status", context),
            State = RequiredString(order, "state", "state", context),
            OrderCurrencyCode = RequiredString(order, "order_currency_code", "order_currency_code", context),
            BaseCurrencyCode = OptionalString(order, "base_currency_code", "base_currency_code", context),
            GrandTotal = RequiredDecimal(order, "grand_total", "grand_total", context),
            BaseGrandTotal = OptionalDecimal(order, "base_grand_total", "base_grand_total", context),
            Subtotal = RequiredDecimal(order, "subtotal", "subtotal", context),
            ShippingAmount = OptionalDecimal(order, "shipping_amount", "shipping_amount", context) ?? 0,
            DiscountAmount = OptionalDecimal(order, "discount_amount", "discount_amount", context) ?? 0,
            TaxAmount = OptionalDecimal(order, "tax_amount", "tax_amount", context) ?? 0,
            CustomerId = customerId,
            // Older payloads omit the flag for guests; an order without a customer id is a guest order.
            CustomerIsGuest = OptionalFlag(order, "customer_is_guest", context) ?? customerId is null,
            CustomerEmail = OptionalString(order, "customer_email", "customer_email", context),
            Items = items,
            BillingAddress = billing,
            ShippingAddress = shipping,
            Document = System.Text.Encoding.UTF8.GetBytes(order.GetRawText()),
        };
    }

    public static MagentoOrderPage ParsePage(JsonElement root, int currentPage, int pageSize)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new MagentoPayloadException($"Magento order list: the response is a JSON {root.ValueKind}, not an object");
        }

        var listContext = new OrderContext(default);
        var totalCount = (int)RequiredLong(root, "total_count", "total_count", listContext, "Magento order list");
        var orders = new List<MagentoOrder>();
        var invalid = new List<MagentoInvalidOrder>();
        if (Optional(root, "items") is { } items)
        {
            if (items.ValueKind != JsonValueKind.Array)
            {
                throw new MagentoPayloadException($"Magento order list: items is a JSON {items.ValueKind}, not an array");
            }

            foreach (var item in items.EnumerateArray())
            {
                try
                {
                    orders.Add(ParseOrder(item));
                }
                catch (MagentoPayloadException exception)
                {
                    invalid.Add(new MagentoInvalidOrder(exception.EntityId, exception.IncrementId, TryReadUpdatedAt(item), exception.Message));
                }
            }
        }

        return new MagentoOrderPage(orders, invalid, totalCount, currentPage, pageSize);
    }

    internal static DateTimeOffset? TryReadUpdatedAt(JsonElement order) =>
        order.ValueKind == JsonValueKind.Object
        && Optional(order, "updated_at") is { ValueKind: JsonValueKind.String } value
        && TryParseTimestamp(value.GetString(), out var timestamp)
            ? timestamp
            : null;

    private static MagentoOrderItem ParseItem(JsonElement item, string path, OrderContext context)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw context.Fail($"{path} is a JSON {item.ValueKind}, not an object");
        }

        return new MagentoOrderItem
        {
            ItemId = RequiredLong(item, "item_id", $"{path}.item_id", context),
            ParentItemId = OptionalLong(item, "parent_item_id", $"{path}.parent_item_id", context),
            Sku = RequiredString(item, "sku", $"{path}.sku", context),
            ProductType = RequiredString(item, "product_type", $"{path}.product_type", context),
            QtyOrdered = RequiredDecimal(item, "qty_ordered", $"{path}.qty_ordered", context),
            QtyShipped = OptionalDecimal(item, "qty_shipped", $"{path}.qty_shipped", context) ?? 0,
            QtyCanceled = OptionalDecimal(item, "qty_canceled", $"{path}.qty_canceled", context) ?? 0,
            QtyRefunded = OptionalDecimal(item, "qty_refunded", $"{path}.qty_refunded", context) ?? 0,
            Price = RequiredDecimal(item, "price", $"{path}.price", context),
            DiscountAmount = OptionalDecimal(item, "discount_amount", $"{path}.discount_amount", context) ?? 0,
            TaxAmount = OptionalDecimal(item, "tax_amount", $"{path}.tax_amount", context) ?? 0,
            RowTotal = RequiredDecimal(item, "row_total", $"{path}.row_total", context),
        };
    }

    private static MagentoAddress? FindShippingAddress(JsonElement order, OrderContext context)
    {
        if (Optional(order, "extension_attributes") is not { ValueKind: JsonValueKind.Object } extension
            || Optional(extension, "shipping_assignments") is not { ValueKind: JsonValueKind.Array } assignments)
        {
            return null;
        }

        var index = 0;
        foreach (var assignment in assignments.EnumerateArray())
        {
            if (assignment.ValueKind == JsonValueKind.Object
                && Optional(assignment, "shipping") is { ValueKind: JsonValueKind.Object } shipping
                && Optional(shipping, "address") is { } address)
            {
                return ParseAddress(address, $"extension_attributes.shipping_assignments[{index}].shipping.address", context);
            }

            index++;
        }

        return null;
    }

    private static MagentoAddress ParseAddress(JsonElement address, string path, OrderContext context)
    {
        if (address.ValueKind != JsonValueKind.Object)
        {
            throw context.Fail($"{path} is a JSON {address.ValueKind}, not an object");
        }

        return new MagentoAddress(
            RequiredString(address, "country_id", $"{path}.country_id", context),
            OptionalString(address, "region_code", $"{path}.region_code", context));
    }

    // Magento leaves null fields out of its responses; an explicit null is treated the same way.
    private static JsonElement? Optional(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined)
            ? value
            : null;

    private static IEnumerable<JsonElement> RequiredArray(JsonElement parent, string name, string path, OrderContext context)
    {
        var value = Optional(parent, name) ?? throw context.Fail($"{path} is missing");
        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw context.Fail($"{path} must be an array, found {Describe(value)}");
    }

    private static string RequiredString(JsonElement parent, string name, string path, OrderContext context) =>
        OptionalString(parent, name, path, context) is { Length: > 0 } text ? text : throw context.Fail($"{path} is missing");

    private static string? OptionalString(JsonElement parent, string name, string path, OrderContext context) =>
        Optional(parent, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } value => value.GetString(),
            { ValueKind: JsonValueKind.Number } value => value.GetRawText(),
            { } value => throw context.Fail($"{path} must be a string, found {Describe(value)}"),
        };

    private static long RequiredLong(JsonElement parent, string name, string path, OrderContext context, string? owner = null) =>
        OptionalLong(parent, name, path, context, owner) ?? throw Fail(context, owner, $"{path} is missing");

    private static long? OptionalLong(JsonElement parent, string name, string path, OrderContext context, string? owner = null)
    {
        switch (Optional(parent, name))
        {
            case null:
                return null;
            case { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number):
                return number;
            case { ValueKind: JsonValueKind.String } value
                when long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number):
                return number;
            case { } value:
                throw Fail(context, owner, $"{path} must be an integer, found {Describe(value)}");
        }
    }

    private static decimal RequiredDecimal(JsonElement parent, string name, string path, OrderContext context) =>
        OptionalDecimal(parent, name, path, context) ?? throw context.Fail($"{path} is missing");

    private static decimal? OptionalDecimal(JsonElement parent, string name, string path, OrderContext context)
    {
        switch (Optional(parent, name))
        {
            case null:
                return null;
            case { ValueKind: JsonValueKind.Number } value when value.TryGetDecimal(out var number):
                return number;
            case { ValueKind: JsonValueKind.String } value
                when decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return number;
            case { } value:
                throw context.Fail($"{path} must be a decimal number, found {Describe(value)}");
        }
    }

    private static bool? OptionalFlag(JsonElement parent, string name, OrderContext context) =>
        Optional(parent, name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) && number is 0 or 1 => number == 1,
            { ValueKind: JsonValueKind.String } value when value.GetString() is "0" or "1" or "true" or "false" =>
                value.GetString() is "1" or "true",
            { } value => throw context.Fail($"{name} must be 0, 1, true or false, found {Describe(value)}"),
        };

    private static DateTimeOffset RequiredTimestamp(JsonElement parent, string name, OrderContext context)
    {
        var value = Optional(parent, name) ?? throw context.Fail($"{name} is missing");
        return value.ValueKind == JsonValueKind.String && TryParseTimestamp(value.GetString(), out var timestamp)
            ? timestamp
            : throw context.Fail($"{name} must be a UTC timestamp formatted {TimestampFormat}, found {Describe(value)}");
    }

    private static bool TryParseTimestamp(string? text, out DateTimeOffset timestamp) =>
        DateTimeOffset.TryParseExact(
            text,
            AcceptedTimestampFormats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out timestamp);

    // The kind, and for strings their length only: values may be customer data and end up in dead letters.
    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"a string of {value.GetString()!.Length} characters",
        JsonValueKind.Number => "a number out of range",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => value.ValueKind.ToString(),
    };

    private static MagentoPayloadException Fail(OrderContext context, string? owner, string problem) =>
        owner is null ? context.Fail(problem) : new MagentoPayloadException($"{owner}: {problem}");

    // Reads the identifying fields first (leniently) so every later failure can name the order it is about.
    private sealed class OrderContext
    {
        public OrderContext(JsonElement order)
        {
            if (order.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            switch (Optional(order, "entity_id"))
            {
                case { ValueKind: JsonValueKind.Number } number when number.TryGetInt64(out var id):
                    EntityId = id;
                    break;
                case { ValueKind: JsonValueKind.String } text
                    when long.TryParse(text.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id):
                    EntityId = id;
                    break;
            }

            if (Optional(order, "increment_id") is { } incrementId && incrementId.ValueKind is JsonValueKind.String or JsonValueKind.Number)
            {
                IncrementId = incrementId.ValueKind == JsonValueKind.String ? incrementId.GetString() : incrementId.GetRawText();
                if (IncrementId is { Length: 0 })
                {
                    IncrementId = null;
                }
            }
        }

        public long? EntityId { get; }

        public string? IncrementId { get; }

        public MagentoPayloadException Fail(string problem)
        {
            var label = IncrementId is not null ? $"Magento order {IncrementId}"
                : EntityId is not null ? $"Magento order entity {EntityId}"
                : "Magento order";
            return new MagentoPayloadException($"{label}: {problem}", IncrementId, EntityId);
        }
    }
}
