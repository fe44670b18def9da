using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Catalog.V1;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Customer.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Contracts.Order.V1;
using Platform.Contracts.Tracking.V1;

namespace Platform.Contracts.Tests;

public sealed class RoundTripTests
{
    private static readonly Timestamp At = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 22, 10, 15, 30, TimeSpan.Zero));

    public static TheoryData<string, IMessage> OneEventPerDomain => new()
    {
        {
            "SKU-RED-M",
            new ProductUpserted
            {
                Sku = "SKU-RED-M",
                Version = 7,
                Product = new Product
                {
                    Sku = "SKU-RED-M",
                    Kind = ProductKind.Simple,
                    ParentSku = "SKU-RED",
                    Enabled = true,
                    Family = "shirts",
                    CategoryCodes = { "men", "shirts" },
                    Attributes =
                    {
                        new AttributeValue { Attribute = "name", Locale = "en_US", Channel = "ecommerce", TextValue = "Red shirt" },
                        new AttributeValue { Attribute = "price", PriceValue = Money.FromDecimal(19.99m, "EUR") },
                        new AttributeValue { Attribute = "weight", NumberValue = DecimalValue.FromDecimal(0.25m) },
                        new AttributeValue { Attribute = "size", OptionCodes = new OptionCodes { Codes = { "m" } } },
                    },
                    Media = { new MediaReference { Code = "red-front", Url = "https://pim.example/media/red-front.jpg", Roles = { "image" } } },
                    Version = 7,
                    UpdatedAt = At,
                },
                ChangedAttributes = { "price" },
                OccurredAt = At,
            }
        },
        {
            "SKU-RED-M",
            new StockLevelChanged
            {
                Sku = "SKU-RED-M",
                LocationCode = "wh-berlin",
                OnHand = DecimalValue.FromDecimal(12),
                Reserved = DecimalValue.FromDecimal(3),
                SafetyStock = DecimalValue.FromDecimal(2),
                Salable = DecimalValue.FromDecimal(7),
                Status = StockStatus.InStock,
                PreviousStatus = StockStatus.LowStock,
                Source = "erp",
                SourceSequence = 1_700_000_000_123,
                Version = 42,
                OccurredAt = At,
            }
        },
        {
            "default:000000123",
            new OrderShipped
            {
                OrderId = "default:000000123",
                Version = 5,
                ShipmentId = "SHP-1",
                Lines =
                {
                    new LineQuantity { LineId = "1", Sku = "SKU-RED-M", Quantity = DecimalValue.FromDecimal(2) },
                    new LineQuantity { LineId = "2", Sku = "SKU-ROPE", Quantity = DecimalValue.FromDecimal(1.5m) },
                },
                LocationCode = "wh-berlin",
                FullyShipped = false,
                OccurredAt = At,
            }
        },
        {
            "cust-8f2c",
            new CustomerErasureRequested
            {
                CustomerId = "cust-8f2c",
                Version = 9,
                ErasureRequestId = "er-1",
                ExternalIds =
                {
                    new ExternalReference { System = "magento", Id = "1042" },
                    new ExternalReference { System = "crm", Id = "0035g00000XyZ" },
                },
                RequestedVia = "magento",
                RequestedAt = At,
                DueBy = Timestamp.FromDateTimeOffset(At.ToDateTimeOffset().AddDays(30)),
                OccurredAt = At,
            }
        },
        {
            "SHP-1",
            new ShipmentCreated
            {
                ShipmentId = "SHP-1",
                Version = 1,
                OrderId = "default:000000123",
                Lines = { new ShipmentLine { OrderLineId = "1", Sku = "SKU-RED-M", Quantity = DecimalValue.FromDecimal(2) } },
                CarrierCode = "dhl",
                TrackingNumbers = { "00340434161094042557", "00340434161094042558" },
                LocationCode = "wh-berlin",
                OccurredAt = At,
            }
        },
    };

    [Theory]
    [MemberData(nameof(OneEventPerDomain))]
    public void An_event_survives_the_wire_and_is_found_again_by_its_type(string expectedKey, IMessage original)
    {
        var payload = original.ToByteArray();

        Assert.True(EventContracts.TryGetByType(original.Descriptor.FullName, out var contract));
        var parsed = contract.Parse(payload);

        Assert.Equal(original, parsed);
        Assert.Equal(expectedKey, contract.KeyOf(parsed));
        Assert.Equal(payload, parsed.ToByteArray());
    }

    [Theory]
    [MemberData(nameof(OneEventPerDomain))]
    public void An_event_survives_json_for_operators_tools(string expectedKey, IMessage original)
    {
        var json = JsonFormatter.Default.Format(original);
        var parsed = JsonParser.Default.Parse(json, original.Descriptor);

        Assert.Equal(original, parsed);
        Assert.Contains(expectedKey, json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dead_letter_keeps_headers_and_an_unreadable_payload_byte_for_byte()
    {
        var payload = new byte[] { 0xff, 0x00, 0x13, 0x37 };
        var original = new DeadLetter
        {
            Id = "dl-1",
            ConsumerGroup = "inventory",
            OriginalTopic = Topics.OrderOrders,
            Key = "default:000000123",
            Reason = "payload is not a platform.order.v1.OrderPlaced",
            FailureKind = FailureKindNames.FromHeaderValue("malformed"),
            Attempts = 1,
            FirstFailureTime = At,
            DeadLetteredAt = At,
            Headers = { ["ce_type"] = "platform.order.v1.OrderPlaced", ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
            Payload = ByteString.CopyFrom(payload),
        };

        var parsed = DeadLetter.Parser.ParseFrom(original.ToByteArray());

        Assert.Equal(original, parsed);
        Assert.Equal(payload, parsed.Payload.ToByteArray());
        Assert.Equal(FailureKind.Malformed, parsed.FailureKind);
        Assert.Equal("malformed", parsed.FailureKind.ToHeaderValue());
    }
}
