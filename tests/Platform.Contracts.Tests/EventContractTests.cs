using System.Xml.Linq;
using Google.Protobuf.Reflection;
using Platform.Contracts.Common.V1;

namespace Platform.Contracts.Tests;

public sealed class EventContractTests
{
    public static TheoryData<string, string> DomainTopics => new()
    {
        { "catalog", Topics.CatalogProducts },
        { "inventory", Topics.InventoryStock },
        { "order", Topics.OrderOrders },
        { "customer", Topics.CustomerCustomers },
        { "tracking", Topics.TrackingShipments },
    };

    private static readonly Lazy<Dictionary<string, string>> MemberSummaries = new(LoadMemberSummaries);

    [Theory]
    [MemberData(nameof(DomainTopics))]
    public void Every_message_of_a_domain_events_file_is_an_event_on_the_domain_topic(string domain, string topic)
    {
        var eventsFile = EventsFileOf(domain);

        Assert.NotEmpty(eventsFile.MessageTypes);
        foreach (var message in eventsFile.MessageTypes)
        {
            var options = message.GetOptions()?.GetExtension(EventOptionsExtensions.Event);
            Assert.True(options is not null, $"{message.FullName} in {eventsFile.Name} has no (platform.common.v1.event) option");
            Assert.Equal(topic, options.Topic);
            Assert.Equal(topic, EventContracts.For(message).Topic);
        }
    }

    [Fact]
    public void Only_messages_of_events_files_are_events()
    {
        var eventsFileMessages = DomainTopics.Select(row => (string)row[0])
            .SelectMany(domain => EventsFileOf(domain).MessageTypes)
            .Select(message => message.FullName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(eventsFileMessages, EventContracts.All.Select(contract => contract.Type).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_event_key_is_a_string_field_documented_as_the_aggregate_id()
    {
        Assert.NotEmpty(EventContracts.All);
        foreach (var contract in EventContracts.All)
        {
            var key = contract.KeyField;
            Assert.Equal(FieldType.String, key.FieldType);
            Assert.False(key.IsRepeated, $"{contract.Type}.{key.Name} is repeated");
            // Field number 1 keeps the key first in every payload and makes the convention visible in the proto.
            Assert.Equal(1, key.FieldNumber);

            var member = $"P:{contract.Descriptor.ClrType.FullName}.{key.PropertyName}";
            Assert.True(MemberSummaries.Value.TryGetValue(member, out var summary), $"no documentation for {member}");
            Assert.Contains("aggregate id", summary, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void The_event_type_is_the_message_full_name()
    {
        var contract = EventContracts.For<Order.V1.OrderPlaced>();

        Assert.Equal("platform.order.v1.OrderPlaced", contract.Type);
        Assert.True(EventContracts.TryGetByType("platform.order.v1.OrderPlaced", out var byType));
        Assert.Same(contract, byType);
        Assert.False(EventContracts.TryGetByType("platform.order.v1.Order", out _));
    }

    [Fact]
    public void A_message_that_is_not_an_event_has_no_contract()
    {
        Assert.Throws<ArgumentException>(() => EventContracts.For(Order.V1.Order.Descriptor));
    }

    [Fact]
    public void An_event_without_its_aggregate_id_has_no_key()
    {
        var contract = EventContracts.For<Catalog.V1.ProductRemoved>();

        Assert.Throws<InvalidOperationException>(() => contract.KeyOf(new Catalog.V1.ProductRemoved { Reason = "deleted in pim" }));
        Assert.Throws<ArgumentException>(() => contract.KeyOf(new Catalog.V1.ProductUpserted { Sku = "SKU-1" }));
    }

    private static FileDescriptor EventsFileOf(string domain) =>
        EventContracts.Files.Single(file => file.Name == $"platform/{domain}/v1/events.proto");

    // The generated code carries the proto comments as XML docs; the build writes them next to the assembly.
    private static Dictionary<string, string> LoadMemberSummaries()
    {
        var path = Path.ChangeExtension(typeof(EventContract).Assembly.Location, ".xml");
        Assert.True(File.Exists(path), $"documentation file {path} is missing: Platform.Contracts must build with GenerateDocumentationFile");
        return XDocument.Load(path)
            .Descendants("member")
            .Where(member => member.Element("summary") is not null)
            .ToDictionary(member => (string)member.Attribute("name")!, member => member.Element("summary")!.Value.Trim(), StringComparer.Ordinal);
    }
}
