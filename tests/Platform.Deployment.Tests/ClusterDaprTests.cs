using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Platform.Deployment.Tests;

/// <summary>The Dapr components, resiliency policy and configurations, against each other and the documentation.</summary>
public sealed partial class ClusterDaprTests
{
    private static ClusterDocument PubSub => Component("pubsub.kafka");

    private static ClusterDocument StateStore => Component("state.redis");

    [Fact]
    public void The_Kafka_pubsub_gives_every_app_its_own_consumer_group_and_takes_brokers_and_credentials_from_a_secret()
    {
        var metadata = Metadata(PubSub);

        Assert.Equal("{appID}", metadata["consumerGroup"].Value);
        Assert.NotNull(metadata["brokers"].SecretKeyRef);
        var authType = metadata["authType"].Value;
        Assert.Contains(authType, new[] { "password", "mtls", "oidc", "awsiam" });
        if (authType == "password")
        {
            Assert.NotNull(metadata["saslUsername"].SecretKeyRef);
            Assert.NotNull(metadata["saslPassword"].SecretKeyRef);
            Assert.NotNull(metadata["saslMechanism"].Value);
        }

        Assert.Equal("false", metadata["disableTls"].Value);
    }

    [Fact]
    public void The_Redis_state_store_is_no_actor_store_isolates_apps_and_takes_its_password_from_a_secret()
    {
        var metadata = Metadata(StateStore);

        Assert.Equal("false", metadata["actorStateStore"].Value);
        Assert.Contains(metadata["keyPrefix"].Value, new[] { "appid", "none" });
        Assert.Equal("true", metadata["enableTLS"].Value);
        Assert.NotNull(metadata["redisPassword"].SecretKeyRef);
        Assert.NotNull(metadata["redisHost"].SecretKeyRef ?? (object?)metadata["redisHost"].Value);
    }

    [Fact]
    public void No_component_writes_a_credential_as_a_plain_value()
    {
        var plain = ClusterRepository.OfKind("Component")
            .SelectMany(c => Metadata(c).Values.Select(m => (Component: c, Item: m)))
            .Where(x => CredentialName().IsMatch(x.Item.Name) && x.Item.SecretKeyRef is null && !string.IsNullOrEmpty(x.Item.Value))
            .Select(x => $"{x.Component.Where}: {x.Item.Name} is a plain value; use secretKeyRef")
            .ToList();

        Assert.Empty(plain);
    }

    [Fact]
    public void Components_are_scoped_to_the_five_services_and_read_secrets_from_the_kubernetes_store()
    {
        foreach (var component in ClusterRepository.OfKind("Component"))
        {
            var scopes = ClusterYaml.Items(component.Node, "scopes").Select(s => ((YamlScalarNode)s).Value).Order().ToList();

            Assert.Equal(ClusterRepository.ConsumingServices.Order(), scopes);
            Assert.Equal("kubernetes", ClusterYaml.Scalar(component.Node, "auth", "secretStore"));
        }
    }

    [Fact]
    public void Each_service_may_publish_exactly_its_own_topics_and_every_scoped_topic_has_a_KafkaTopic()
    {
        var publishing = Scopes(Metadata(PubSub)["publishingScopes"].Value);
        var failures = new List<string>();
        foreach (var service in ClusterRepository.ConsumingServices)
        {
            var expected = ClusterTopics.ReadmeTopics(service).Where(t => t.Direction == "out").Select(t => t.Topic)
                .Concat(ClusterTopics.ArchitectureTopics().Keys.Where(t => t.StartsWith($"{service}.", StringComparison.Ordinal)))
                .Append($"{service}.retry")
                .Append($"{service}.dlq")
                .Concat(ClusterTopics.IngestOf(service))
                .ToHashSet(StringComparer.Ordinal);
            var granted = publishing.GetValueOrDefault(service) ?? [];
            failures.AddRange(expected.Except(granted).Select(t => $"{service} publishes {t} but publishingScopes does not allow it"));
            failures.AddRange(granted.Except(expected).Select(t => $"{service} may publish {t}, which is not its own topic"));
        }

        failures.AddRange(publishing.Values.SelectMany(t => t).Where(t => !ClusterTopics.Declared.ContainsKey(t)).Select(t => $"publishingScopes names {t}, which has no KafkaTopic"));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Each_service_may_subscribe_to_what_it_consumes_by_the_docs_and_its_own_retry_topic()
    {
        var subscribing = Scopes(Metadata(PubSub)["subscriptionScopes"].Value);
        var architecture = ClusterTopics.ArchitectureTopics();
        var failures = new List<string>();
        foreach (var service in ClusterRepository.ConsumingServices)
        {
            var needed = ClusterTopics.ReadmeTopics(service).Where(t => t.Direction == "in").Select(t => t.Topic)
                .Concat(architecture.Where(t => t.Value.Contains(service)).Select(t => t.Key))
                .Concat(ClusterTopics.IngestOf(service))
                .ToHashSet(StringComparer.Ordinal);
            var granted = subscribing.GetValueOrDefault(service) ?? [];
            failures.AddRange(needed.Except(granted).Select(t => $"{service} consumes {t} but subscriptionScopes does not allow it"));
            failures.AddRange(granted.Except(needed).Select(t => $"{service} may subscribe to {t}, which no document says it consumes"));
        }

        failures.AddRange(subscribing.Values.SelectMany(t => t).Where(t => !ClusterTopics.Declared.ContainsKey(t)).Select(t => $"subscriptionScopes names {t}, which has no KafkaTopic"));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Resiliency_targets_name_policies_components_and_apps_that_exist()
    {
        var resiliency = Assert.Single(ClusterRepository.OfKind("Resiliency"));
        var policies = new[] { "timeouts", "retries", "circuitBreakers" }
            .ToDictionary(kind => kind, kind => ClusterYaml.Entries(resiliency.Node, "spec", "policies", kind).Select(e => e.Key).ToHashSet());
        var components = ClusterRepository.OfKind("Component").Select(c => c.Name).ToHashSet();
        var failures = new List<string>();

        foreach (var (app, target) in ClusterYaml.Entries(resiliency.Node, "spec", "targets", "apps"))
        {
            if (!ClusterRepository.Modules.Contains(app))
            {
                failures.Add($"apps target '{app}' is no platform app id");
            }

            failures.AddRange(UnknownPolicies($"apps.{app}", target, policies));
        }

        foreach (var (component, target) in ClusterYaml.Entries(resiliency.Node, "spec", "targets", "components"))
        {
            if (!components.Contains(component))
            {
                failures.Add($"components target '{component}' is no Component under k8s/");
            }

            failures.AddRange(UnknownPolicies($"components.{component}.outbound", ClusterYaml.Child(target, "outbound"), policies));
            failures.AddRange(UnknownPolicies($"components.{component}.inbound", ClusterYaml.Child(target, "inbound"), policies));
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Pubsub_state_store_and_every_service_target_have_a_timeout_an_exponential_retry_and_a_circuit_breaker()
    {
        var resiliency = Assert.Single(ClusterRepository.OfKind("Resiliency"));
        var targets = ClusterRepository.ConsumingServices
            .Select(app => (Name: $"apps.{app}", Node: ClusterYaml.Child(resiliency.Node, "spec", "targets", "apps", app)))
            .Concat(ClusterRepository.OfKind("Component").Select(c =>
                (Name: $"components.{c.Name}.outbound", Node: ClusterYaml.Child(resiliency.Node, "spec", "targets", "components", c.Name!, "outbound"))))
            .ToList();

        foreach (var (name, node) in targets)
        {
            Assert.True(node is not null, $"Resiliency has no target {name}");
            var retry = ClusterYaml.Scalar(node, "retry");
            Assert.True(ClusterYaml.Scalar(node, "timeout") is not null, $"{name} has no timeout");
            Assert.True(ClusterYaml.Scalar(node, "circuitBreaker") is not null, $"{name} has no circuit breaker");
            Assert.True(retry is not null, $"{name} has no retry");
            Assert.Equal("exponential", ClusterYaml.Scalar(resiliency.Node, "spec", "policies", "retries", retry!, "policy"));
        }
    }

    [Fact]
    public void Resiliency_retries_stop_after_a_bounded_number_of_attempts()
    {
        // maxRetries -1 retries forever; an event that can never succeed would then never reach the retry topic.
        var resiliency = Assert.Single(ClusterRepository.OfKind("Resiliency"));
        foreach (var (name, retry) in ClusterYaml.Entries(resiliency.Node, "spec", "policies", "retries"))
        {
            var maxRetries = int.Parse(ClusterYaml.Scalar(retry, "maxRetries") ?? "-1", CultureInfo.InvariantCulture);
            Assert.True(maxRetries is > 0 and <= 10, $"retry policy {name}: maxRetries {maxRetries}");
        }
    }

    [Fact]
    public void The_sidecar_configuration_traces_to_an_otlp_collector_with_a_sampling_rate_and_exports_metrics()
    {
        var configuration = ClusterRepository.Single("Configuration", "platform");

        var rate = double.Parse(ClusterYaml.Scalar(configuration.Node, "spec", "tracing", "samplingRate")!, CultureInfo.InvariantCulture);
        Assert.InRange(rate, double.Epsilon, 1);
        Assert.Matches(@"^[a-z0-9.-]+:[0-9]+$", ClusterYaml.Scalar(configuration.Node, "spec", "tracing", "otel", "endpointAddress"));
        Assert.Equal("true", ClusterYaml.Scalar(configuration.Node, "spec", "metrics", "enabled"));
    }

    [Fact]
    public void Only_the_platform_services_may_invoke_each_other_through_Dapr()
    {
        var configuration = ClusterRepository.Single("Configuration", "platform");

        Assert.Equal("deny", ClusterYaml.Scalar(configuration.Node, "spec", "accessControl", "defaultAction"));
        var allowed = ClusterYaml.Items(configuration.Node, "spec", "accessControl", "policies")
            .Where(p => ClusterYaml.Scalar(p, "defaultAction") == "allow" && ClusterYaml.Scalar(p, "namespace") == "platform")
            .Select(p => ClusterYaml.Scalar(p, "appId"))
            .Order();
        Assert.Equal(ClusterRepository.ConsumingServices.Order(), allowed);
    }

    [Fact]
    public void Mutual_TLS_is_enabled_in_the_control_plane_configuration_Dapr_reads_it_from()
    {
        var daprsystem = ClusterRepository.Single("Configuration", "daprsystem");

        Assert.Equal("dapr-system", daprsystem.Namespace);
        Assert.Equal("true", ClusterYaml.Scalar(daprsystem.Node, "spec", "mtls", "enabled"));
    }

    [Fact]
    public void The_charts_point_their_sidecars_at_the_configuration_defined_here()
    {
        var charts = ClusterRepository.ConsumingServices.Select(s => $"charts/{s}/values.yaml").ToList();

        foreach (var values in charts)
        {
            var document = ClusterManifestTests.Document(values, ClusterRepository.Read(values));
            var config = ClusterYaml.Scalar(document.Node, "dapr", "config");
            Assert.True(config is null or "" || ClusterRepository.OfKind("Configuration").Any(c => c.Name == config && c.Namespace == "platform"),
                $"{values}: dapr.config '{config}' is no Configuration in namespace platform under k8s/dapr");
        }
    }

    private static ClusterDocument Component(string type) =>
        Assert.Single(ClusterRepository.OfKind("Component"), c => ClusterYaml.Scalar(c.Node, "spec", "type") == type);

    private static Dictionary<string, ComponentSetting> Metadata(ClusterDocument component) =>
        ClusterYaml.Items(component.Node, "spec", "metadata")
            .Select(item => new ComponentSetting(
                ClusterYaml.Scalar(item, "name")!,
                ClusterYaml.Scalar(item, "value"),
                ClusterYaml.Child(item, "secretKeyRef") is null ? null : $"{ClusterYaml.Scalar(item, "secretKeyRef", "name")}/{ClusterYaml.Scalar(item, "secretKeyRef", "key")}"))
            .ToDictionary(s => s.Name, StringComparer.Ordinal);

    // "app1=topic1,topic2;app2=topic3", the format of the pub/sub publishingScopes and subscriptionScopes settings.
    private static Dictionary<string, HashSet<string>> Scopes(string? value) =>
        (value ?? throw new InvalidOperationException("scope setting missing"))
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(
                pair => pair[0],
                pair => pair[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
                StringComparer.Ordinal);

    private static IEnumerable<string> UnknownPolicies(string target, YamlNode? node, Dictionary<string, HashSet<string>> policies)
    {
        foreach (var (field, kind) in new[] { ("timeout", "timeouts"), ("retry", "retries"), ("circuitBreaker", "circuitBreakers") })
        {
            var name = ClusterYaml.Scalar(node, field);
            if (name is not null && !policies[kind].Contains(name))
            {
                yield return $"{target}.{field} names '{name}', which is not in policies.{kind}";
            }
        }
    }

    [GeneratedRegex("(?i)(password|secret|token|clientKey|Cert$|APIKey)")]
    private static partial Regex CredentialName();

    private sealed record ComponentSetting(string Name, string? Value, string? SecretKeyRef);
}
