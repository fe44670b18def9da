using k8s;
using k8s.Models;
using Newtonsoft.Json.Linq;

namespace Platform.Deployment.Tests;

/// <summary>values.yaml against values.schema.json: the defaults pass, and wrong values are refused with a message naming the path.</summary>
public sealed class ChartValuesTests
{
    public static TheoryData<string> ChartsWithValues => ChartFiles.Theory(ChartFiles.ChartsWithValues);
    public static TheoryData<string> ServiceCharts => ChartFiles.Theory(ChartFiles.ServiceCharts);

    [Theory]
    [MemberData(nameof(ChartsWithValues))]
    public void The_default_values_validate(string chart)
    {
        var problems = ChartSchemaValidation.Validate(chart, ChartSchemaValidation.DefaultValues(chart));
        Assert.True(problems.Count == 0, $"{chart}/values.yaml:\n" + string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void A_string_where_a_number_belongs_is_refused(string chart) =>
        AssertRefused(chart, "replicaCount", "two", "replicaCount: must be an integer");

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void An_unknown_key_is_refused_at_the_top_and_inside_a_section(string chart)
    {
        AssertRefused(chart, "replicas", 3, "replicas: is not a known value");
        AssertRefused(chart, "image.tags", "1.0.0", "image.tags: is not a known value");
        AssertRefused(chart, "networkPolicy.ingress.grpcFrom[0].podSelector.matchLabel", new JObject(), "networkPolicy.ingress.grpcFrom[0].podSelector.matchLabel: is not a known value");
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void A_negative_or_too_large_port_is_refused(string chart)
    {
        AssertRefused(chart, "ports.grpc", -1, "ports.grpc: must be at least 1");
        AssertRefused(chart, "ports.http", 70000, "ports.http: must be at most 65535");
        AssertRefused(chart, "networkPolicy.egress.redis.ports[0]", 0, "networkPolicy.egress.redis.ports[0]: must be at least 1");
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void A_secret_value_where_only_a_secret_reference_is_allowed_is_refused(string chart)
    {
        AssertRefused(chart, "state.redis.connectionString", "redis:6379,password=hunter2", "state.redis.connectionString: is not a known value");
        AssertRefused(chart, "state.redis.existingSecret", "redis:6379,password=hunter2", "state.redis.existingSecret: must match");
        AssertRefused(chart, "bus.kafka.sasl.password", "hunter2", "bus.kafka.sasl.password: is not a known value");
        AssertRefused(chart, "auth.apiKeys.keys",
            JArray.Parse("""[{ "name": "erp", "keyHash": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8", "scopes": ["order.write"] }]"""),
            "auth.apiKeys.keys[0].keyHash: is not a known value");
        AssertRefused(chart, "secretEnv",
            JArray.Parse("""[{ "name": "Platform__Connectors__erp__Authentication__Key", "value": "hunter2" }]"""),
            "secretEnv[0].value: is not a known value");
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void A_secret_looking_setting_is_refused_and_the_message_sends_it_to_secretEnv(string chart)
    {
        var values = (JObject)ChartSchemaValidation.DefaultValues(chart);
        values["settings"] = new JObject { ["Platform:Connectors:erp:Authentication:Password"] = "hunter2" };
        var problems = ChartSchemaValidation.Validate(chart, values);
        var problem = Assert.Single(problems);
        Assert.StartsWith("settings.Platform:Connectors:erp:Authentication:Password: is not allowed here", problem, StringComparison.Ordinal);
        Assert.Contains("use secretEnv", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);

        values["settings"] = new JObject { ["Platform:Connectors:erp:BaseAddress"] = "https://erp.example.com/api/v1/" };
        Assert.Empty(ChartSchemaValidation.Validate(chart, values));
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void Redis_state_needs_the_name_of_the_secret_holding_its_connection_string(string chart)
    {
        var values = ChartYaml.With(ChartSchemaValidation.DefaultValues(chart), "state.provider", "Redis");
        values = ChartYaml.With(values, "bus.provider", "Kafka");
        values = ChartYaml.With(values, "autoscaling.mode", "hpa");
        values = ChartYaml.With(values, "state.redis.existingSecret", "");
        var problem = Assert.Single(ChartSchemaValidation.Validate(chart, values));
        Assert.StartsWith("state: must satisfy one of: provider is InMemory | redis.existingSecret names the Secret with the connection string", problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void Autoscaling_mode_is_one_of_hpa_keda_or_none(string chart) =>
        AssertRefused(chart, "autoscaling.mode", "both", "autoscaling.mode: must be one of \"hpa\", \"keda\", \"none\"");

    [Fact]
    public void Keda_is_refused_for_a_service_whose_group_reads_no_topic()
    {
        var values = ChartYaml.With(ChartSchemaValidation.DefaultValues("catalog"), "autoscaling.mode", "keda");
        var problem = Assert.Single(ChartSchemaValidation.Validate("catalog", values));
        Assert.StartsWith("autoscaling: must satisfy one of: mode is hpa or none | keda.topics lists the topics the consumer group reads", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inventory", new[] { "catalog.products.v1", "inventory.ingest.v1", "order.orders.v1" })]
    [InlineData("order", new[] { "order.ingest.v1", "order.orders.v1" })]
    [InlineData("customer", new[] { "order.orders.v1" })]
    public void Keda_scales_a_consumer_on_the_lag_of_its_own_group_over_the_topics_it_reads(string chart, string[] topics)
    {
        var defaults = ChartSchemaValidation.DefaultValues(chart);
        Assert.Equal(topics, defaults["autoscaling"]!["keda"]!["topics"]!.Select(topic => (string?)topic));

        // An empty consumerGroup means serviceName, which is the group name the service joins.
        Assert.Equal("", (string?)defaults["autoscaling"]!["keda"]!["consumerGroup"]);
        Assert.Equal(chart, (string?)defaults["serviceName"]);
        Assert.Empty(ChartSchemaValidation.Validate(chart, ChartYaml.With(defaults, "autoscaling.mode", "keda")));
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void In_memory_bus_or_state_is_refused_with_more_than_one_pod(string chart)
    {
        var values = ChartYaml.With(ChartSchemaValidation.DefaultValues(chart), "state.provider", "InMemory");
        values = ChartYaml.With(values, "autoscaling.mode", "hpa");
        var problem = Assert.Single(ChartSchemaValidation.Validate(chart, values));
        Assert.StartsWith("(top level): must satisfy one of: bus.provider is Kafka and state.provider is Redis | a single pod", problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void Api_keys_need_the_secret_holding_their_hashes(string chart)
    {
        var key = JArray.Parse($$"""[{ "name": "erp-bridge", "keyHashKey": "erp-bridge", "scopes": ["{{chart}}.write"] }]""");
        var values = ChartYaml.With(ChartSchemaValidation.DefaultValues(chart), "auth.apiKeys.keys", key);
        Assert.StartsWith("auth.apiKeys: must satisfy one of: keys is empty | existingSecret names the Secret with the key hashes",
            Assert.Single(ChartSchemaValidation.Validate(chart, values)), StringComparison.Ordinal);

        Assert.Empty(ChartSchemaValidation.Validate(chart, ChartYaml.With(values, "auth.apiKeys.existingSecret", $"{chart}-api-keys")));
    }

    [Fact]
    public void The_umbrella_refuses_an_unknown_service_and_a_wrong_value_inside_a_service_section()
    {
        AssertRefused(ChartFiles.UmbrellaChart, "payments", JObject.Parse("""{ "enabled": true }"""), "payments: is not a known value");
        AssertRefused(ChartFiles.UmbrellaChart, "order.replicaCount", "two", "order.replicaCount: must be an integer");
        AssertRefused(ChartFiles.UmbrellaChart, "inventory.state.redis.password", "hunter2", "inventory.state.redis.password: is not a known value");
        AssertRefused(ChartFiles.UmbrellaChart, "global.registry", "registry.example.com", "global.registry: is not a known value");
        AssertRefused(ChartFiles.UmbrellaChart, "catalog.enabled", "yes", "catalog.enabled: must be true or false");
    }

    [Fact]
    public void The_umbrella_section_overrides_merge_over_the_service_chart_defaults()
    {
        var values = ChartYaml.With(ChartSchemaValidation.DefaultValues(ChartFiles.UmbrellaChart), "order.autoscaling", JObject.Parse("""{ "mode": "keda" }"""));
        values = ChartYaml.With(values, "sandbox.enabled", true);
        values = ChartYaml.With(values, "global.imageRegistry", "registry.example.com");
        Assert.Empty(ChartSchemaValidation.Validate(ChartFiles.UmbrellaChart, values));
    }

    [Theory]
    [MemberData(nameof(ServiceCharts))]
    public void Network_policy_peers_in_values_are_real_kubernetes_peers(string chart)
    {
        var policy = ChartSchemaValidation.DefaultValues(chart)["networkPolicy"]!;
        var peerLists = new[] { policy["ingress"]!["grpcFrom"], policy["ingress"]!["httpFrom"], policy["egress"]!["kafka"]!["to"], policy["egress"]!["redis"]!["to"], policy["egress"]!["platform"]!["to"] };
        foreach (var peer in peerLists.SelectMany(list => list!.Children()))
        {
            var parsed = KubernetesJson.Deserialize<V1NetworkPolicyPeer>(peer.ToString());
            Assert.True(parsed.PodSelector is not null || parsed.NamespaceSelector is not null || parsed.IpBlock is not null, $"{chart}: peer {peer} selects nothing");
            Assert.True(
                (parsed.PodSelector?.MatchLabels?.Count ?? 0) + (parsed.NamespaceSelector?.MatchLabels?.Count ?? 0) > 0 || parsed.IpBlock is not null,
                $"{chart}: peer {peer} has an empty selector, which allows every pod or namespace");
        }
    }

    private static void AssertRefused(string chart, string path, JToken value, string expectedStart)
    {
        var values = ChartYaml.With(ChartSchemaValidation.DefaultValues(chart), path, value);
        var problems = ChartSchemaValidation.Validate(chart, values);
        Assert.True(problems.Any(problem => problem.StartsWith(expectedStart, StringComparison.Ordinal)),
            $"{chart}: setting {path} to {value.ToString(Newtonsoft.Json.Formatting.None)} should be refused with \"{expectedStart}...\"; got:\n" + string.Join("\n", problems));
        Assert.All(problems, problem => Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal));
    }
}
