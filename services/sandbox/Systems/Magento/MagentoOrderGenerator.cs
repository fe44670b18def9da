using System.Globalization;
using System.Text.Json.Serialization;

namespace Platform.Sandbox.Systems.Magento;

// Bodies of the scenario endpoints under /_sandbox/magento. They use Magento's own field names (snake_case), since they
// describe Magento orders; every field is optional, and what is left out is generated. An unknown field is refused.

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record OrderSpec
{
    /// <summary>Backdates the order (UTC, "yyyy-MM-dd HH:mm:ss" or ISO 8601); updated_at starts equal to it.</summary>
    public string? CreatedAt { get; init; }

    public string? OrderCurrencyCode { get; init; }
    public long? CustomerId { get; init; }
    public bool? CustomerIsGuest { get; init; }
    public string? CustomerEmail { get; init; }
    public string? CustomerFirstname { get; init; }
    public string? CustomerLastname { get; init; }
    public decimal? ShippingAmount { get; init; }

    /// <summary>Tax rate in percent for lines without their own, and for the shipping.</summary>
    public decimal? TaxPercent { get; init; }

    public string? PaymentMethod { get; init; }

    /// <summary>Invoice the order as it is placed (paid online): it starts in state processing instead of new/pending.</summary>
    public bool? Invoice { get; init; }

    public AddressSpec? ShippingAddress { get; init; }
    public AddressSpec? BillingAddress { get; init; }
    public List<ItemSpec>? Items { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AddressSpec
{
    public string? Firstname { get; init; }
    public string? Lastname { get; init; }
    public List<string>? Street { get; init; }
    public string? City { get; init; }
    public string? Postcode { get; init; }
    public string? CountryId { get; init; }
    public string? Region { get; init; }
    public string? RegionCode { get; init; }
    public string? Telephone { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ItemSpec
{
    public string? Sku { get; init; }
    public string? Name { get; init; }
    public decimal? Qty { get; init; }

    /// <summary>Unit price excluding tax; taken from the sandbox catalog when the SKU is in it.</summary>
    public decimal? Price { get; init; }

    /// <summary>Discount on the whole line (positive), as Magento stores it on an item.</summary>
    public decimal? DiscountAmount { get; init; }

    public decimal? TaxPercent { get; init; }

    /// <summary>simple, configurable (ordered as a parent item and a simple child item) or virtual.</summary>
    public string? ProductType { get; init; }

    /// <summary>For a configurable product: the name of the chosen variant.</summary>
    public string? ChildName { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record GenerateSpec
{
    public int Count { get; init; } = 1;

    /// <summary>Invoice every order (true), none (false), or each with <c>Sandbox:Magento:Orders:InvoicedShare</c>.</summary>
    public bool? Invoice { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LineSpec
{
    public long? OrderItemId { get; init; }
    public string? Sku { get; init; }
    public decimal Qty { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ShipSpec
{
    /// <summary>None ships everything left to ship.</summary>
    public List<LineSpec>? Items { get; init; }

    public List<TrackSpec>? Tracks { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TrackSpec
{
    public string? TrackNumber { get; init; }
    public string? Title { get; init; }
    public string? CarrierCode { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record RefundSpec
{
    /// <summary>None refunds everything invoiced and not yet refunded, shipping included.</summary>
    public List<LineSpec>? Items { get; init; }

    /// <summary>Shipping to refund; with items given it defaults to 0, without to what is left of it.</summary>
    public decimal? ShippingAmount { get; init; }

    public decimal AdjustmentPositive { get; init; }
    public decimal AdjustmentNegative { get; init; }
}

/// <summary>Defaults of generated orders: <c>Sandbox:Magento:Orders</c>.</summary>
public sealed class MagentoOrderDefaults
{
    public string Currency { get; set; } = "EUR";
    public decimal TaxPercent { get; set; } = 19;
    public decimal ShippingAmount { get; set; } = 5;
    public string CountryId { get; set; } = "DE";
    public double GuestShare { get; set; } = 0.3;
    public double InvoicedShare { get; set; } = 0.6;
}

/// <summary>
/// Turns an <see cref="OrderSpec"/> into a complete <see cref="OrderDraft"/>, filling what the spec leaves out with
/// plausible values (Luma sample catalog SKUs, German addresses with Magento's region codes...) from seeded dice, so a
/// run repeated with the same seed generates the same orders.
/// </summary>
public sealed class MagentoOrderGenerator(MagentoOrderDefaults defaults, int seed)
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    private static readonly CatalogProduct[] Catalog =
    [
        new("24-MB01", "Joust Duffle Bag", "simple", 34m, null),
        new("24-MB04", "Strive Shoulder Pack", "simple", 32m, null),
        new("24-WB04", "Overnight Duffle", "simple", 45m, null),
        new("24-UG06", "Affirm Water Bottle", "simple", 7m, null),
        new("24-WG085", "Sprite Yoga Strap 6 foot", "simple", 14m, null),
        new("24-WG02", "Didi Sport Watch", "simple", 92m, null),
        new("MH01-M-Black", "Chaz Kangeroo Hoodie", "configurable", 52m, "Chaz Kangeroo Hoodie-M-Black"),
        new("WS03-XS-Red", "Iris Workout Top", "configurable", 29m, "Iris Workout Top-XS-Red"),
        new("MJ01-L-Yellow", "Beaumont Summit Kit", "configurable", 42m, "Beaumont Summit Kit-L-Yellow"),
        new("WT09-S-Purple", "Breathe-Easy Tank", "configurable", 34m, "Breathe-Easy Tank-S-Purple"),
        new("MP02-32-Gray", "Aether Gym Pant", "configurable", 74m, "Aether Gym Pant-32-Gray"),
        new("VGC-50", "Digital Gift Card 50", "virtual", 50m, null),
    ];

    private static readonly (string City, string Postcode, string Region, string RegionCode, int RegionId, string Street)[] GermanPlaces =
    [
        ("Berlin", "10115", "Berlin", "BER", 82, "Invalidenstraße"),
        ("München", "80331", "Bayern", "BAY", 81, "Sendlinger Straße"),
        ("Hamburg", "20095", "Hamburg", "HAM", 85, "Mönckebergstraße"),
        ("Köln", "50667", "Nordrhein-Westfalen", "NRW", 88, "Hohe Straße"),
        ("Stuttgart", "70173", "Baden-Württemberg", "BAW", 80, "Königstraße"),
        ("Leipzig", "04109", "Sachsen", "SAS", 91, "Grimmaische Straße"),
    ];

    private static readonly (string Code, string Name, int Id)[] KnownRegions =
    [
        ("BER", "Berlin", 82), ("BAY", "Bayern", 81), ("HAM", "Hamburg", 85), ("NRW", "Nordrhein-Westfalen", 88),
        ("BAW", "Baden-Württemberg", 80), ("SAS", "Sachsen", 91), ("TX", "Texas", 57), ("CA", "California", 12), ("NY", "New York", 43),
    ];

    private static readonly string[] FirstNames = ["Anna", "Lukas", "Mia", "Leon", "Emma", "Finn", "Sofia", "Jonas", "Veronica", "Noah", "Lena", "Paul"];
    private static readonly string[] LastNames = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Costello", "Hoffmann"];

    private readonly Lock _gate = new();
    private readonly Random _random = new(seed ^ 0x51A7E5);

    public bool DrawInvoice(bool? wanted)
    {
        lock (_gate)
        {
            return wanted ?? _random.NextDouble() < defaults.InvoicedShare;
        }
    }

    /// <returns>The draft, or the problems of the spec by field.</returns>
    public (OrderDraft? Draft, Dictionary<string, string[]> Errors) Draft(OrderSpec? spec)
    {
        spec ??= new OrderSpec();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Error(string field, string message) => errors[field] = [message];

        DateTime? createdAt = null;
        if (spec.CreatedAt is not null)
        {
            if (DateTime.TryParseExact(spec.CreatedAt, DateFormats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
            {
                createdAt = new DateTime(parsed.Ticks - (parsed.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            }
            else
            {
                Error("created_at", "must be a UTC time as yyyy-MM-dd HH:mm:ss or ISO 8601");
            }
        }

        var currency = spec.OrderCurrencyCode ?? defaults.Currency;
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
        {
            Error("order_currency_code", "must be an ISO 4217 code such as EUR");
        }

        if (spec.CustomerId is <= 0)
        {
            Error("customer_id", "must be positive");
        }

        if (spec.CustomerIsGuest == true && spec.CustomerId is not null)
        {
            Error("customer_id", "a guest order has no customer_id");
        }

        var taxPercent = spec.TaxPercent ?? defaults.TaxPercent;
        if (taxPercent is < 0 or > 100)
        {
            Error("tax_percent", "must be between 0 and 100");
        }

        if (spec.ShippingAmount is < 0)
        {
            Error("shipping_amount", "must not be negative");
        }

        if (spec.Items is { Count: 0 })
        {
            Error("items", "an order has at least one item; leave items out to have them generated");
        }

        lock (_gate)
        {
            var lines = spec.Items is null ? RandomLines(taxPercent) : SpecifiedLines(spec.Items, taxPercent, Error);
            if (errors.Count > 0)
            {
                return (null, errors);
            }

            var firstname = spec.CustomerFirstname ?? spec.ShippingAddress?.Firstname ?? Pick(FirstNames);
            var lastname = spec.CustomerLastname ?? spec.ShippingAddress?.Lastname ?? Pick(LastNames);
            var guest = spec.CustomerIsGuest ?? (spec.CustomerId is null && _random.NextDouble() < defaults.GuestShare);
            long? customerId = guest ? null : spec.CustomerId ?? _random.Next(1, 50_000);
            var email = spec.CustomerEmail
                ?? $"{Ascii(firstname)}.{Ascii(lastname)}{(customerId ?? _random.Next(1, 99_999)).ToString(CultureInfo.InvariantCulture)}@example.com";
            var shipping = Address(spec.ShippingAddress, firstname, lastname);
            var billing = spec.BillingAddress is null ? shipping : Address(spec.BillingAddress, firstname, lastname);
            var shippingAmount = spec.ShippingAmount ?? (lines.All(line => line.ProductType == "virtual") ? 0 : defaults.ShippingAmount);
            return (new OrderDraft(
                createdAt,
                currency,
                new SalesCustomer(customerId, email, firstname, lastname),
                billing,
                shipping,
                shippingAmount,
                taxPercent,
                lines,
                spec.Invoice ?? false,
                spec.PaymentMethod ?? "checkmo"), errors);
        }
    }

    private List<LineDraft> RandomLines(decimal taxPercent)
    {
        var lines = new List<LineDraft>();
        var count = _random.Next(1, 5);
        // Distinct products keep generated orders free of repeated SKUs, which real baskets merge into one line; the last
        // product, a virtual gift card, is left out so that every generated order has something to ship.
        foreach (var index in Enumerable.Range(0, Catalog.Length - 1).OrderBy(_ => _random.Next()).Take(count))
        {
            var product = Catalog[index];
            var qty = (decimal)_random.Next(1, 4);
            var row = Money.Round(product.Price * qty);
            var discount = _random.NextDouble() < 0.2 ? Money.Round(row * 0.1m) : 0m;
            lines.Add(new LineDraft(product.Sku, product.Name, product.Type, product.ChildName, ProductId(index), qty, product.Price, discount, taxPercent));
        }

        return lines;
    }

    private static List<LineDraft> SpecifiedLines(List<ItemSpec> items, decimal taxPercent, Action<string, string> error)
    {
        var lines = new List<LineDraft>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var field = $"items[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (string.IsNullOrWhiteSpace(item.Sku))
            {
                error(field + ".sku", "is required");
                continue;
            }

            var index = Array.FindIndex(Catalog, product => product.Sku == item.Sku);
            var known = index >= 0 ? Catalog[index] : null;
            var price = item.Price ?? known?.Price;
            var qty = item.Qty ?? 1;
            var type = item.ProductType ?? known?.Type ?? "simple";
            var tax = item.TaxPercent ?? taxPercent;
            var discount = item.DiscountAmount ?? 0;
            if (price is null or < 0)
            {
                error(field + ".price", price is null ? "is required for a SKU outside the sandbox catalog" : "must not be negative");
                continue;
            }

            if (qty <= 0)
            {
                error(field + ".qty", "must be positive");
            }

            if (type is not ("simple" or "configurable" or "virtual"))
            {
                error(field + ".product_type", "must be simple, configurable or virtual");
            }

            if (tax is < 0 or > 100)
            {
                error(field + ".tax_percent", "must be between 0 and 100");
            }

            if (discount < 0 || discount > Money.Round(price.Value * qty))
            {
                error(field + ".discount_amount", "must be between 0 and the line's row total");
            }

            lines.Add(new LineDraft(
                item.Sku, item.Name ?? known?.Name ?? item.Sku, type, item.ChildName ?? known?.ChildName ?? (type == "configurable" ? item.Name ?? item.Sku : null),
                index >= 0 ? ProductId(index) : 90_000 + (StableHash(item.Sku) % 9_000) * 2, qty, price.Value, discount, tax));
        }

        return lines;
    }

    private SalesAddress Address(AddressSpec? spec, string firstname, string lastname)
    {
        var country = spec?.CountryId ?? defaults.CountryId;
        var place = GermanPlaces[_random.Next(GermanPlaces.Length)];
        var german = country == "DE";
        var regionCode = spec?.RegionCode ?? (german ? place.RegionCode : null);
        var region = KnownRegions.FirstOrDefault(known => known.Code == regionCode);
        return new SalesAddress(
            spec?.Firstname ?? firstname,
            spec?.Lastname ?? lastname,
            spec?.Street ?? [$"{place.Street} {_random.Next(1, 120).ToString(CultureInfo.InvariantCulture)}"],
            spec?.City ?? (german ? place.City : "Springfield"),
            spec?.Postcode ?? (german ? place.Postcode : "49628"),
            country,
            spec?.Region ?? region.Name ?? regionCode,
            regionCode,
            region.Code is null ? null : region.Id,
            spec?.Telephone ?? "+49 30 " + _random.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture));
    }

    private string Pick(string[] values) => values[_random.Next(values.Length)];

    private static long ProductId(int catalogIndex) => 1_000 + catalogIndex * 2L;

    private static string Ascii(string name) => new string(name.ToLowerInvariant()
        .Replace("ü", "ue", StringComparison.Ordinal).Replace("ö", "oe", StringComparison.Ordinal).Replace("ä", "ae", StringComparison.Ordinal)
        .Where(char.IsAsciiLetterOrDigit).ToArray());

    private static int StableHash(string value)
    {
        var hash = 17;
        foreach (var c in value)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash & 0x7FFFFFFF;
    }

    private sealed record CatalogProduct(string Sku, string Name, string Type, decimal Price, string? ChildName);
}
