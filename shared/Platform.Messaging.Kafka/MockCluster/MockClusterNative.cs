using System.Reflection;
using System.Runtime.InteropServices;

namespace Platform.Messaging.Kafka;

/// <summary>
/// The <c>rd_kafka_mock_*</c> functions of the librdkafka that Confluent.Kafka ships. They must be called in the
/// very library file Confluent.Kafka loaded: a second copy would not know the cluster the holder client started.
/// </summary>
internal static class MockClusterNative
{
    private const string Library = "platform-testing-librdkafka";

    private static readonly Lazy<bool> ResolverInstalled = new(() =>
    {
        NativeLibrary.SetDllImportResolver(typeof(MockClusterNative).Assembly, Resolve);
        return true;
    });

    /// <summary>Must run before the first call below: the resolver picks the library file.</summary>
    public static void EnsureResolver() => _ = ResolverInstalled.Value;

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_handle_mock_cluster(IntPtr rk);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern int rd_kafka_mock_topic_create(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [DllImport(Library, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    public static extern int rd_kafka_mock_partition_set_leader(IntPtr mcluster, string topic, int partition, int brokerId);

    // The variadic rd_kafka_mock_push_request_errors cannot be called portably through P/Invoke; this is its array form.
    [DllImport(Library)]
    public static extern void rd_kafka_mock_push_request_errors_array(IntPtr mcluster, short apiKey, nuint count, int[] errors);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_clear_request_errors(IntPtr mcluster, short apiKey);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_broker_set_rtt(IntPtr mcluster, int brokerId, int rttMs);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_group_initial_rebalance_delay_ms(IntPtr mcluster, int delayMs);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_start_request_tracking(IntPtr mcluster);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_stop_request_tracking(IntPtr mcluster);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_clear_requests(IntPtr mcluster);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_mock_get_requests(IntPtr mcluster, out nuint count);

    [DllImport(Library)]
    public static extern short rd_kafka_mock_request_api_key(IntPtr request);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_request_destroy_array(IntPtr requests, nuint count);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        var path = LoadedLibrdkafka() ?? BundledLibrdkafka();
        return path is not null ? NativeLibrary.Load(path) : NativeLibrary.Load("librdkafka", typeof(Confluent.Kafka.Library).Assembly, searchPath);
    }

    /// <summary>The file Confluent.Kafka already mapped into this process (the holder client is created first).</summary>
    private static string? LoadedLibrdkafka()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            return null;
        }

        foreach (var line in File.ReadLines(maps))
        {
            var start = line.IndexOf('/');
            if (start >= 0 && (line.EndsWith("librdkafka.so", StringComparison.Ordinal) || line.EndsWith("librdkafka.so.1", StringComparison.Ordinal)))
            {
                return line[start..];
            }
        }

        return null;
    }

    /// <summary>
    /// Where the package puts it in the output folder. On glibc Linux the plain <c>librdkafka.so</c> needs libsasl2,
    /// which slim images lack; the <c>centos8-</c> build does not, and Confluent.Kafka falls back to it too.
    /// </summary>
    private static string? BundledLibrdkafka()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64", "native");
        return new[] { "centos8-librdkafka.so", "librdkafka.so" }
            .Select(file => Path.Combine(native, file))
            .FirstOrDefault(File.Exists);
    }
}
