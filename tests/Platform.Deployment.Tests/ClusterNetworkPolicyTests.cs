using k8s.Models;

namespace Platform.Deployment.Tests;

/// <summary>
/// The namespace's baseline NetworkPolicies, read through the official models, against the ports the images
/// actually listen on and the Kafka cluster the topics belong to.
/// </summary>
public sealed class ClusterNetworkPolicyTests
{
    private static readonly IReadOnlyList<V1NetworkPolicy> Policies = ClusterRepository.OfKind("NetworkPolicy")
        .Select(ClusterCoreKinds.Parse<V1NetworkPolicy>)
        .ToList();

    private static int HttpPort => ClusterDockerfile.Load("catalog").EnvironmentPort("Platform__Hosting__HttpPort");

    private static int GrpcPort => ClusterDockerfile.Load("catalog").EnvironmentPort("Platform__Hosting__GrpcPort");

    [Fact]
    public void Everything_in_the_namespace_is_denied_both_ways_unless_allowed()
    {
        Assert.Contains(Policies, p =>
            IsEverything(p.Spec.PodSelector)
            && p.Spec.PolicyTypes.Order().SequenceEqual(["Egress", "Ingress"])
            && (p.Spec.Ingress is null || p.Spec.Ingress.Count == 0)
            && (p.Spec.Egress is null || p.Spec.Egress.Count == 0));
        Assert.All(Policies, p => Assert.Equal("platform", p.Metadata.NamespaceProperty));
    }

    [Fact]
    public void Every_pod_may_resolve_names_over_udp_and_tcp()
    {
        var dns = Policies.Where(p => IsEverything(p.Spec.PodSelector)).SelectMany(p => p.Spec.Egress ?? []).ToList();

        Assert.Contains(dns, rule => Allows(rule.Ports, 53, "UDP") && (rule.To ?? []).Any(peer => Selects(peer.NamespaceSelector, "kubernetes.io/metadata.name", "kube-system")));
        Assert.Contains(dns, rule => Allows(rule.Ports, 53, "TCP"));
    }

    [Fact]
    public void Prometheus_may_scrape_the_port_the_services_serve_metrics_on()
    {
        var scrape = Policies.SelectMany(p => p.Spec.Ingress ?? [])
            .Where(rule => (rule.FromProperty ?? []).Any(peer => Selects(peer.NamespaceSelector, "kubernetes.io/metadata.name", "monitoring")));

        Assert.Contains(scrape, rule => Allows(rule.Ports, HttpPort, "TCP"));
    }

    [Fact]
    public void Platform_pods_may_call_each_other_over_gRPC_in_both_directions()
    {
        var grpc = Policies.Where(p => Selects(p.Spec.PodSelector, "app.kubernetes.io/part-of", "platform")).ToList();

        Assert.Contains(grpc.SelectMany(p => p.Spec.Ingress ?? []), rule =>
            Allows(rule.Ports, GrpcPort, "TCP") && (rule.FromProperty ?? []).Any(peer => Selects(peer.PodSelector, "app.kubernetes.io/part-of", "platform")));
        Assert.Contains(grpc.SelectMany(p => p.Spec.Egress ?? []), rule =>
            Allows(rule.Ports, GrpcPort, "TCP") && (rule.To ?? []).Any(peer => Selects(peer.PodSelector, "app.kubernetes.io/part-of", "platform")));
    }

    [Fact]
    public void Platform_pods_may_reach_the_brokers_of_the_cluster_the_topics_belong_to()
    {
        var kafka = Policies.SelectMany(p => p.Spec.Egress ?? [])
            .Where(rule => (rule.To ?? []).Any(peer => Selects(peer.PodSelector, "strimzi.io/cluster", ClusterTopics.StrimziCluster)
                && Selects(peer.NamespaceSelector, "kubernetes.io/metadata.name", ClusterTopics.Declared.Values.First().Resource.Metadata.NamespaceProperty)))
            .ToList();

        Assert.Contains(kafka, rule => Allows(rule.Ports, 9093, "TCP"));
    }

    [Fact]
    public void Platform_pods_may_reach_redis()
    {
        Assert.Contains(Policies.SelectMany(p => p.Spec.Egress ?? []), rule =>
            Allows(rule.Ports, 6379, "TCP") && (rule.To ?? []).Any(peer => Selects(peer.NamespaceSelector, "kubernetes.io/metadata.name", "redis")));
    }

    [Fact]
    public void The_Dapr_sidecars_may_reach_the_trace_collector_the_configuration_names()
    {
        var endpoint = ClusterYaml.Scalar(ClusterRepository.Single("Configuration", "platform").Node, "spec", "tracing", "otel", "endpointAddress")!;
        var host = endpoint[..endpoint.IndexOf(':')];
        var port = int.Parse(endpoint[(endpoint.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var collectorNamespace = host.Split('.')[1];

        Assert.Contains(Policies.SelectMany(p => p.Spec.Egress ?? []), rule =>
            Allows(rule.Ports, port, "TCP") && (rule.To ?? []).Any(peer => Selects(peer.NamespaceSelector, "kubernetes.io/metadata.name", collectorNamespace)));
    }

    private static bool IsEverything(V1LabelSelector? selector) =>
        selector is not null && (selector.MatchLabels is null || selector.MatchLabels.Count == 0)
        && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0);

    private static bool Selects(V1LabelSelector? selector, string label, string? value) =>
        selector?.MatchLabels is not null && selector.MatchLabels.TryGetValue(label, out var actual) && actual == value;

    private static bool Allows(IList<V1NetworkPolicyPort>? ports, int port, string protocol) =>
        ports is not null && ports.Any(p => p.Port?.Value == port.ToString(System.Globalization.CultureInfo.InvariantCulture) && (p.Protocol ?? "TCP") == protocol);
}
