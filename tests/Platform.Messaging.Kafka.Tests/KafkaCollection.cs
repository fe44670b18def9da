using Platform.Messaging.Kafka;
using Platform.Testing;

namespace Platform.Messaging.Kafka.Tests;

/// <summary>Every test of this project shares one mock cluster: starting one per class would cost more than the tests.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaMockCluster>
{
    public const string Name = "kafka mock cluster";
}
