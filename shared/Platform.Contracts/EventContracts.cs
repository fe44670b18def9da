using System.Collections.Frozen;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Platform.Contracts.Common.V1;

namespace Platform.Contracts;

/// <summary>Topic names of the event streams, one per aggregate, as declared on the event messages.</summary>
public static class Topics
{
    public const string CatalogProducts = "catalog.products.v1";
    public const string InventoryStock = "inventory.stock.v1";
    public const string OrderOrders = "order.orders.v1";
    public const string CustomerCustomers = "customer.customers.v1";
    public const string TrackingShipments = "tracking.shipments.v1";
}

/// <summary>
/// How one event message travels, read from its <c>(platform.common.v1.event)</c> option: the topic,
/// the CloudEvents type (the message full name) and the field that is the record key.
/// </summary>
public sealed class EventContract
{
    internal EventContract(MessageDescriptor descriptor, EventOptions options)
    {
        var keyField = descriptor.FindFieldByName(options.KeyField);
        if (string.IsNullOrEmpty(options.Topic))
        {
            throw new InvalidOperationException($"event {descriptor.FullName} declares no topic");
        }

        if (keyField is null || keyField.FieldType != FieldType.String || keyField.IsRepeated || keyField.ContainingOneof is not null)
        {
            throw new InvalidOperationException(
                $"event {descriptor.FullName} declares key_field '{options.KeyField}', which is not a plain string field of the message");
        }

        Descriptor = descriptor;
        Topic = options.Topic;
        KeyField = keyField;
    }

    public MessageDescriptor Descriptor { get; }

    /// <summary>CloudEvents <c>type</c> of the event: the protobuf full name, e.g. <c>platform.order.v1.OrderPlaced</c>.</summary>
    public string Type => Descriptor.FullName;

    public string Topic { get; }

    public FieldDescriptor KeyField { get; }

    /// <exception cref="ArgumentException">The message is not of this event type.</exception>
    /// <exception cref="InvalidOperationException">The key is empty: an event without its aggregate id cannot keep its order.</exception>
    public string KeyOf(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Descriptor != Descriptor)
        {
            throw new ArgumentException($"message is a {message.Descriptor.FullName}, not a {Type}", nameof(message));
        }

        var key = (string)KeyField.Accessor.GetValue(message);
        return key.Length > 0
            ? key
            : throw new InvalidOperationException($"{Type}.{KeyField.Name} (the aggregate id) is empty");
    }

    /// <exception cref="InvalidProtocolBufferException">The bytes are not a valid message of this type.</exception>
    public IMessage Parse(ReadOnlySpan<byte> payload) => Descriptor.Parser.ParseFrom(payload);
}

/// <summary>Every event message of the contracts, found by the <c>event</c> option on the generated descriptors.</summary>
public static class EventContracts
{
    /// <summary>Every file of the contracts, common types included, in dependency order.</summary>
    public static IReadOnlyList<FileDescriptor> Files { get; } =
    [
        StatusReflection.Descriptor,
        DeadLetterReflection.Descriptor,
        OwnershipReflection.Descriptor,
        ValuesReflection.Descriptor,
        EventOptionsReflection.Descriptor,
        Catalog.V1.ProductReflection.Descriptor,
        Catalog.V1.EventsReflection.Descriptor,
        Catalog.V1.CatalogServiceReflection.Descriptor,
        Inventory.V1.StockReflection.Descriptor,
        Inventory.V1.EventsReflection.Descriptor,
        Inventory.V1.IngestReflection.Descriptor,
        Inventory.V1.InventoryServiceReflection.Descriptor,
        Order.V1.OrderReflection.Descriptor,
        Order.V1.EventsReflection.Descriptor,
        Order.V1.IngestReflection.Descriptor,
        Order.V1.OrderServiceReflection.Descriptor,
        Customer.V1.CustomerReflection.Descriptor,
        Customer.V1.EventsReflection.Descriptor,
        Customer.V1.CustomerServiceReflection.Descriptor,
        Tracking.V1.ShipmentReflection.Descriptor,
        Tracking.V1.EventsReflection.Descriptor,
        Tracking.V1.TrackingServiceReflection.Descriptor,
    ];

    private static readonly FrozenDictionary<string, EventContract> ByType = Files
        .SelectMany(file => file.MessageTypes)
        .Select(descriptor => (descriptor, options: descriptor.GetOptions()?.GetExtension(EventOptionsExtensions.Event)))
        .Where(pair => pair.options is not null)
        .ToFrozenDictionary(pair => pair.descriptor.FullName, pair => new EventContract(pair.descriptor, pair.options!), StringComparer.Ordinal);

    public static IReadOnlyCollection<EventContract> All => ByType.Values;

    /// <summary>Used by a consumer to read a payload by its CloudEvents type; false for a type these contracts do not define.</summary>
    public static bool TryGetByType(string type, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EventContract? contract) =>
        ByType.TryGetValue(type, out contract);

    /// <exception cref="ArgumentException">The message type is not an event.</exception>
    public static EventContract For(MessageDescriptor descriptor) =>
        ByType.TryGetValue(descriptor.FullName, out var contract) && contract.Descriptor == descriptor
            ? contract
            : throw new ArgumentException($"{descriptor.FullName} is not an event message (it has no (platform.common.v1.event) option)", nameof(descriptor));

    public static EventContract For<TEvent>()
        where TEvent : IMessage<TEvent>, new() => For(new TEvent().Descriptor);
}
