using System.Text.RegularExpressions;
using k8s.Models;

namespace Platform.Deployment.Tests;

/// <summary>The KafkaTopic objects against what the documentation and the code say the topics are.</summary>
public sealed partial class ClusterTopicTests
{
    [Fact]
    public void Every_topic_in_the_architecture_table_and_the_service_readmes_has_a_KafkaTopic()
    {
        var declared = ClusterTopics.Declared.Keys.ToHashSet(StringComparer.Ordinal);
        var documented = ClusterTopics.ArchitectureTopics().Keys
            .Concat(ClusterRepository.ConsumingServices.SelectMany(s => ClusterTopics.ReadmeTopics(s).Select(t => t.Topic)))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string> { "catalog.products.v1", "order.orders.v1", "order.retry", "order.dlq" }, documented);
        Assert.Empty(documented.Except(declared).Order());
    }

    [Fact]
    public void Every_topic_name_the_code_publishes_to_or_reads_from_has_a_KafkaTopic()
    {
        // Topics are auto-created nowhere in production, so a name that only exists in code fails at the first
        // publish. The ingest topic is the case in point: the architecture page describes it without naming it.
        var inCode = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in new[] { "services", "shared" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(ClusterRepository.Root, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = ClusterRepository.Relative(file);
                if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal))
                {
                    continue;
                }

                inCode.UnionWith(TopicLiteral().Matches(File.ReadAllText(file)).Select(m => m.Groups["topic"].Value));
            }
        }

        Assert.Contains("order.ingest.v1", inCode);
        Assert.Empty(inCode.Except(ClusterTopics.Declared.Keys).Order());
    }

    [Fact]
    public void Every_consuming_service_has_its_retry_and_dead_letter_topic()
    {
        var missing = ClusterRepository.ConsumingServices
            .SelectMany(s => new[] { $"{s}.retry", $"{s}.dlq" })
            .Where(t => !ClusterTopics.Declared.ContainsKey(t))
            .ToList();

        Assert.Empty(missing);
    }

    [Fact]
    public void Every_KafkaTopic_is_a_documented_topic()
    {
        var documented = ClusterTopics.ArchitectureTopics().Keys
            .Concat(ClusterRepository.ConsumingServices.SelectMany(s => new[] { $"{s}.retry", $"{s}.dlq" }))
            .Concat(ClusterTopics.IngestTopics.Values)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(ClusterTopics.Declared.Keys.Except(documented).Order());
    }

    [Fact]
    public void Every_topic_is_replicated_three_times_and_needs_two_in_sync_replicas()
    {
        var failures = new List<string>();
        foreach (var (name, topic) in ClusterTopics.Declared)
        {
            if (topic.Replicas != 3)
            {
                failures.Add($"{topic.Document.Where}: replicas {topic.Replicas}, expected 3");
            }

            if (topic.Config("min.insync.replicas") != "2")
            {
                failures.Add($"{topic.Document.Where}: min.insync.replicas {topic.Config("min.insync.replicas")}, expected 2 (acks=all then survives one broker down)");
            }

            if (topic.Config("cleanup.policy") != "delete")
            {
                failures.Add($"{topic.Document.Where}: cleanup.policy '{topic.Config("cleanup.policy")}': events are not snapshots, compaction would drop them");
            }

            if (topic.RetentionMs is null or <= 0)
            {
                failures.Add($"{topic.Document.Where}: retention.ms must be set to a positive, finite duration");
            }

            if (topic.Partitions < 1)
            {
                failures.Add($"{name}: partitions {topic.Partitions}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Dead_letters_are_kept_longer_than_anything_they_came_from()
    {
        var longestOther = ClusterTopics.Declared.Values.Where(t => !t.Name.EndsWith(".dlq", StringComparison.Ordinal)).Max(t => t.RetentionMs!.Value);
        var deadLetters = ClusterTopics.Declared.Values.Where(t => t.Name.EndsWith(".dlq", StringComparison.Ordinal)).ToList();

        Assert.Equal(ClusterRepository.ConsumingServices.Length, deadLetters.Count);
        Assert.All(deadLetters, t => Assert.True(t.RetentionMs > longestOther, $"{t.Name}: retention {t.RetentionMs} ms is not longer than {longestOther} ms"));
    }

    [Fact]
    public void Retry_topics_keep_records_at_least_as_long_as_the_event_streams()
    {
        // A retry record that expires before the consumer comes back is lost without ever reaching the dead letters.
        var shortestStream = ClusterTopics.Declared.Values.Where(t => t.Name.EndsWith(".v1", StringComparison.Ordinal)).Min(t => t.RetentionMs!.Value);

        Assert.All(ClusterTopics.Declared.Values.Where(t => t.Name.EndsWith(".retry", StringComparison.Ordinal)),
            t => Assert.True(t.RetentionMs >= shortestStream, $"{t.Name}: retention {t.RetentionMs} ms is shorter than the event streams' {shortestStream} ms"));
    }

    [Fact]
    public void All_topics_belong_to_one_Strimzi_cluster_in_the_namespace_its_topic_operator_watches()
    {
        var clusters = ClusterTopics.Declared.Values.Select(t => t.Resource.Metadata.Labels["strimzi.io/cluster"]).Distinct().ToList();
        var namespaces = ClusterTopics.Declared.Values.Select(t => t.Resource.Metadata.NamespaceProperty).Distinct().ToList();

        Assert.Equal([ClusterTopics.StrimziCluster], clusters);
        Assert.Equal(["kafka"], namespaces);
    }

    [GeneratedRegex("\"(?<topic>[a-z]+\\.[a-z]+\\.v[0-9]+)\"")]
    private static partial Regex TopicLiteral();
}

/// <summary>The KafkaTopic objects under k8s/ and the topic names the documentation gives.</summary>
internal static partial class ClusterTopics
{
    public const string OrderIngest = "order.ingest.v1";

    public const string StrimziCluster = "platform";

    /// <summary>
    /// Each service's own ingest topic: written by its intake (webhooks, polls, file drops) and read by its own group
    /// only. The architecture table names the order one; inventory's is internal and only in its README.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> IngestTopics = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["order"] = OrderIngest,
        ["inventory"] = "inventory.ingest.v1",
    };

    public static IEnumerable<string> IngestOf(string service) =>
        IngestTopics.TryGetValue(service, out var topic) ? [topic] : [];

    private static readonly Lazy<IReadOnlyDictionary<string, ClusterTopic>> DeclaredTopics = new(() =>
        ClusterRepository.OfKind("KafkaTopic")
            .Select(d => new ClusterTopic(d, ClusterCoreKinds.Parse<KafkaTopicResource>(d)))
            .ToDictionary(t => t.Name, StringComparer.Ordinal));

    public static IReadOnlyDictionary<string, ClusterTopic> Declared => DeclaredTopics.Value;

    /// <summary>
    /// Topic name to the services the "consumed by" column names, from docs/architecture.md's Topics table. The
    /// "&lt;group&gt;.retry" and "&lt;group&gt;.dlq" rows become one topic per consuming service, each read by that
    /// service only.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlySet<string>> ArchitectureTopics()
    {
        var topics = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var row in TableRows(ClusterRepository.Read("docs/architecture.md"), "## Topics"))
        {
            var name = Backticked().Match(row[0]).Groups["name"].Value;
            if (name.StartsWith("<group>.", StringComparison.Ordinal))
            {
                // "that group only" (retry) or "operators, replay" (dead letters, read through the admin API).
                var readByItsGroup = row[3].Contains("group", StringComparison.Ordinal);
                foreach (var service in ClusterRepository.ConsumingServices)
                {
                    topics[name.Replace("<group>", service, StringComparison.Ordinal)] =
                        readByItsGroup ? new HashSet<string> { service } : new HashSet<string>();
                }

                continue;
            }

            // "inventory (reservations), customer": the parentheses hold remarks, which may mention services
            // ("storefront push inside inventory") that do not consume the topic.
            var consumers = Parenthesised().Replace(row[3], "");
            topics[name] = ClusterRepository.ConsumingServices
                .Where(s => Regex.IsMatch(consumers, $@"\b{s}\b"))
                .ToHashSet(StringComparer.Ordinal);
        }

        Assert.True(topics.Count > 0, "docs/architecture.md has no Topics table");
        return topics;
    }

    /// <summary>The in and out rows of a service README's Topics table, and the retry and dead-letter topics it names.</summary>
    public static IReadOnlyList<(string Direction, string Topic)> ReadmeTopics(string service)
    {
        var readme = ClusterRepository.Read($"services/{service}/README.md");
        var rows = TableRows(readme, "## Topics")
            .Select(row => (Direction: row[0].Trim(), Topic: Backticked().Match(row[1]).Groups["name"].Value))
            .ToList();
        rows.AddRange(FailureTopic().Matches(readme).Select(m => (Direction: "failure", Topic: m.Groups["name"].Value)));
        return rows;
    }

    private static IEnumerable<string[]> TableRows(string markdown, string heading)
    {
        var section = markdown[(markdown.IndexOf(heading, StringComparison.Ordinal) + heading.Length)..];
        var next = section.IndexOf("\n## ", StringComparison.Ordinal);
        section = next < 0 ? section : section[..next];
        return section.Split('\n')
            .Where(line => line.StartsWith('|') && !line.StartsWith("|---", StringComparison.Ordinal))
            .Skip(1)
            .Select(line => line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray());
    }

    [GeneratedRegex("`(?<name>[^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex Parenthesised();

    [GeneratedRegex("`(?<name>[a-z]+\\.(retry|dlq))`")]
    private static partial Regex FailureTopic();
}

internal sealed record ClusterTopic(ClusterDocument Document, KafkaTopicResource Resource)
{
    public string Name => Resource.Spec.TopicName ?? Resource.Metadata.Name;

    public int Partitions => Resource.Spec.Partitions;

    public int Replicas => Resource.Spec.Replicas;

    public string? Config(string key) => Resource.Spec.Config?.TryGetValue(key, out var value) == true ? value?.ToString() : null;

    public long? RetentionMs => long.TryParse(Config("retention.ms"), out var ms) ? ms : null;
}

/// <summary>The fields of Strimzi's KafkaTopic these tests read; the schema check covers the rest.</summary>
internal sealed class KafkaTopicResource
{
    public string ApiVersion { get; set; } = "";

    public string Kind { get; set; } = "";

    public V1ObjectMeta Metadata { get; set; } = new();

    public KafkaTopicSpec Spec { get; set; } = new();
}

internal sealed class KafkaTopicSpec
{
    public string? TopicName { get; set; }

    public int Partitions { get; set; }

    public int Replicas { get; set; }

    public Dictionary<string, object?>? Config { get; set; }
}
