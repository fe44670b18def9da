namespace Platform.Local;

public enum LocalBus
{
    /// <summary>One in-process log shared by every service: nothing to install.</summary>
    InMemory,

    /// <summary>librdkafka's mock cluster, started inside this process: the real Kafka protocol on loopback.</summary>
    KafkaMock,

    /// <summary>A real Kafka cluster at <see cref="LocalOptions.KafkaBootstrap"/>.</summary>
    Kafka,
}

public sealed record LocalOptions
{
    public LocalBus Bus { get; init; } = LocalBus.InMemory;
    public string? KafkaBootstrap { get; init; }
    public string? Redis { get; init; }
    public int BasePort { get; init; } = 5100;
    public bool Verbose { get; init; }

    /// <summary>
    /// Keep this run's state apart from any earlier run's in the same Redis (scenarios): otherwise figures an earlier run
    /// applied make this run's identical figures stale.
    /// </summary>
    public bool FreshState { get; init; }
}
