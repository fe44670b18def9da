using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Platform.Messaging.Kafka;

/// <summary>
/// librdkafka's built-in mock cluster (three brokers on 127.0.0.1, real Kafka protocol) for tests and for the local host.
/// A holder client started with <c>test.mock.num.brokers</c> owns the cluster; every other client connects to
/// <see cref="BootstrapServers"/> while the fixture lives. Topics auto-create with 4 partitions; use
/// <see cref="CreateTopic(string, int)"/> for another count (the mock has no CreateTopics admin call).
/// <para>Traps of the mock, unlike a real broker: every rebalance but a group's first waits session.timeout.ms - 1 s
/// (as sent by the latest member to join) before assigning anything, even when a member joins a group whose last
/// member just left, so tests with several members, or restarted ones, use a short session timeout; and it drops
/// duplicate sequence numbers only for transactional producers, so a resend after a lost response is written twice
/// even by an idempotent producer; and it answers a fetch only when the fetch's wait expires, even when records arrived
/// meanwhile, so consumers of the mock use <see cref="ConsumerSettings"/> (a broker answers at once).</para>
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    public const int BrokerCount = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private const string BootstrapLogMarker = "replaced with ";

    /// <summary>
    /// Consumer settings for clients of the mock: with librdkafka's default fetch wait (500 ms) every hop between two
    /// services would take up to half a second here.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ConsumerSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["fetch.wait.max.ms"] = "10",
    };

    private readonly IProducer<Null, Null> _holder;
    private readonly IntPtr _cluster;
    private int _disposed;

    public KafkaMockCluster()
    {
        MockClusterNative.EnsureResolver();
        var bootstrapLogged = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var config = new ProducerConfig(new Dictionary<string, string>
        {
            ["test.mock.num.brokers"] = BrokerCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["client.id"] = "kafka-mock-cluster-holder",
        });

        // The holder's other log lines (brokers set down by a test, and so on) are noise for every test.
        _holder = new ProducerBuilder<Null, Null>(config)
            .SetLogHandler((_, message) =>
            {
                // "Mock cluster enabled: original bootstrap.servers and security.protocol ignored and replaced with <list>"
                var at = message.Message.IndexOf(BootstrapLogMarker, StringComparison.Ordinal);
                if (message.Message.Contains("Mock cluster enabled", StringComparison.Ordinal) && at >= 0)
                {
                    bootstrapLogged.TrySetResult(message.Message[(at + BootstrapLogMarker.Length)..].Trim());
                }
            })
            .Build();

        try
        {
            _cluster = MockClusterNative.rd_kafka_handle_mock_cluster(NativeHandle(_holder));
            if (_cluster == IntPtr.Zero)
            {
                throw new InvalidOperationException("librdkafka did not start a mock cluster for test.mock.num.brokers.");
            }

            BootstrapServers = bootstrapLogged.Task.Wait(StartTimeout)
                ? bootstrapLogged.Task.Result
                : Marshal.PtrToStringUTF8(MockClusterNative.rd_kafka_mock_cluster_bootstraps(_cluster))
                  ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");

            // Groups otherwise wait ~3 s for more members before the first assignment; tests that want the realistic
            // delay set it back with SetGroupInitialRebalanceDelay.
            SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        }
        catch
        {
            _holder.Dispose();
            throw;
        }
    }

    /// <summary>Comma-separated 127.0.0.1 listeners of the three brokers (ids 1, 2, 3).</summary>
    public string BootstrapServers { get; }

    /// <summary>A topic or group name no other test or run shares, e.g. <c>orders-3f9c2a...</c>.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Creates a topic with a unique name built from <paramref name="prefix"/> and returns the name.</summary>
    public string CreateTopic(string prefix, int partitions) => CreateTopic(prefix, partitions, replicationFactor: BrokerCount);

    public string CreateTopic(string prefix, int partitions, int replicationFactor)
    {
        var name = UniqueName(prefix);
        CreateTopicNamed(name, partitions, replicationFactor);
        return name;
    }

    /// <summary>Creates a topic with exactly this name (for code under test whose topic names are fixed).</summary>
    public void CreateTopicNamed(string name, int partitions, int replicationFactor = BrokerCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        Check(MockClusterNative.rd_kafka_mock_topic_create(Cluster, name, partitions, replicationFactor), $"create topic '{name}'");
    }

    /// <summary>
    /// The next <paramref name="errors"/>.Length requests of this kind, to any broker and from any client, fail
    /// with these errors in order. <see cref="ErrorCode.Local_Transport"/> makes the broker drop the connection.
    /// </summary>
    public void PushRequestErrors(KafkaApiKey request, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var codes = Array.ConvertAll(errors, error => (int)error);
        MockClusterNative.rd_kafka_mock_push_request_errors_array(Cluster, (short)request, (nuint)codes.Length, codes);
    }

    public void ClearRequestErrors(KafkaApiKey request) =>
        MockClusterNative.rd_kafka_mock_clear_request_errors(Cluster, (short)request);

    /// <summary>Drops the broker's connections and refuses new ones; partition leadership does not move.</summary>
    public void SetBrokerDown(int brokerId) =>
        Check(MockClusterNative.rd_kafka_mock_broker_set_down(Cluster, brokerId), $"set broker {brokerId} down");

    public void SetBrokerUp(int brokerId) =>
        Check(MockClusterNative.rd_kafka_mock_broker_set_up(Cluster, brokerId), $"set broker {brokerId} up");

    /// <summary>Delays every response of the broker (-1: all brokers) by this much; the request is served at once.</summary>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan roundTrip) =>
        Check(MockClusterNative.rd_kafka_mock_broker_set_rtt(Cluster, brokerId, (int)roundTrip.TotalMilliseconds), $"set round trip of broker {brokerId}");

    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(MockClusterNative.rd_kafka_mock_partition_set_leader(Cluster, topic, partition, brokerId), $"move leader of {topic} [{partition}] to broker {brokerId}");

    /// <summary>Applies to groups created after the call.</summary>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay) =>
        MockClusterNative.rd_kafka_mock_group_initial_rebalance_delay_ms(Cluster, (int)delay.TotalMilliseconds);

    /// <summary>
    /// Starts recording the requests the brokers receive, from every client of the cluster, forgetting any
    /// recorded before. Tests of one collection run one at a time, so what is recorded is the running test's.
    /// </summary>
    public void StartRequestTracking()
    {
        MockClusterNative.rd_kafka_mock_clear_requests(Cluster);
        MockClusterNative.rd_kafka_mock_start_request_tracking(Cluster);
    }

    public void StopRequestTracking() => MockClusterNative.rd_kafka_mock_stop_request_tracking(Cluster);

    /// <summary>How many requests of this kind the brokers received since <see cref="StartRequestTracking"/>.</summary>
    public int CountRequests(KafkaApiKey request)
    {
        var requests = MockClusterNative.rd_kafka_mock_get_requests(Cluster, out var count);
        if (requests == IntPtr.Zero)
        {
            return 0;
        }

        try
        {
            var matching = 0;
            for (nuint i = 0; i < count; i++)
            {
                if (MockClusterNative.rd_kafka_mock_request_api_key(Marshal.ReadIntPtr(requests, (int)i * IntPtr.Size)) == (short)request)
                {
                    matching++;
                }
            }

            return matching;
        }
        finally
        {
            MockClusterNative.rd_kafka_mock_request_destroy_array(requests, count);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _holder.Dispose();
        }
    }

    private IntPtr Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _cluster;
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Mock cluster could not {what}: {(ErrorCode)error}");
        }
    }

    /// <summary>
    /// The rd_kafka_t pointer behind a client. Confluent.Kafka keeps it in the non-public
    /// <c>Handle.LibrdkafkaHandle</c> (a SafeHandle); the mock API has no other way in.
    /// </summary>
    private static IntPtr NativeHandle(IClient client)
    {
        var property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            ?? throw new InvalidOperationException($"Confluent.Kafka {typeof(Handle).Assembly.GetName().Version} no longer has Handle.LibrdkafkaHandle; the mock-cluster fixture needs updating.");
        var handle = property.GetValue(client.Handle) as SafeHandle
            ?? throw new InvalidOperationException("The client has no native handle.");
        return handle.DangerousGetHandle();
    }
}

/// <summary>Kafka protocol request kinds, for <see cref="KafkaMockCluster.PushRequestErrors"/>.</summary>
public enum KafkaApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    JoinGroup = 11,
    Heartbeat = 12,
    LeaveGroup = 13,
    SyncGroup = 14,
    InitProducerId = 22,
}
