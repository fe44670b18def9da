using YamlDotNet.RepresentationModel;

namespace Platform.Deployment.Tests;

/// <summary>Every object under k8s/ is of a kind something checks, and passes that check; the kustomizations are whole.</summary>
public sealed class ClusterManifestTests
{
    [Fact]
    public void Every_core_object_under_k8s_maps_onto_the_Kubernetes_client_models_without_unknown_fields()
    {
        var failures = new List<string>();
        var checkedKinds = new List<string>();
        foreach (var document in ClusterRepository.Documents)
        {
            if (ClusterCoreKinds.TryGetModel(document.ApiVersion, document.Kind, out var model))
            {
                checkedKinds.Add(document.Kind!);
                failures.AddRange(ClusterCoreKinds.Problems(document, model));
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Contains("Namespace", checkedKinds);
        Assert.Contains("NetworkPolicy", checkedKinds);
    }

    [Fact]
    public void Every_custom_object_and_kustomization_matches_the_schema_of_its_kind()
    {
        var failures = new List<string>();
        var checkedKinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var document in ClusterRepository.Documents)
        {
            if (ClusterCoreKinds.TryGetModel(document.ApiVersion, document.Kind, out _))
            {
                continue;
            }

            if (ClusterRepository.IsMonitoring(document.File) && document.Kind != "Kustomization")
            {
                continue;
            }

            checkedKinds.Add(document.Kind ?? "");
            failures.AddRange(SchemaProblems(document));
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Superset(new HashSet<string> { "Component", "Resiliency", "Configuration", "KafkaTopic", "Kustomization" }, checkedKinds);
    }

    [Fact]
    public void A_misspelt_field_in_a_core_object_fails_naming_the_file_line_and_field()
    {
        var document = Document("k8s/network-policies/example.yaml", """
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata:
              name: example
            spec:
              podSelecter: {}
              policyTypes: [Ingress]
            """);
        Assert.True(ClusterCoreKinds.TryGetModel(document.ApiVersion, document.Kind, out var model));

        var problem = Assert.Single(ClusterCoreKinds.Problems(document, model));

        Assert.StartsWith("k8s/network-policies/example.yaml:6:", problem);
        Assert.Contains("podSelecter", problem);
    }

    [Fact]
    public void Documents_are_split_with_their_own_text_and_first_line_and_empty_ones_are_dropped()
    {
        var documents = ClusterYaml.LoadDocuments("k8s/example.yaml", """
            # a comment before the first document
            apiVersion: v1
            kind: Namespace
            metadata:
              name: first
            ---
            ---
            # the second one
            apiVersion: v1
            kind: Namespace
            metadata:
              name: second
            ---
            """);

        Assert.Equal(["first", "second"], documents.Select(d => d.Name));
        Assert.Equal([2, 9], documents.Select(d => d.Line));
        Assert.StartsWith("apiVersion: v1", documents[1].Text);
        Assert.DoesNotContain("first", documents[1].Text);
    }

    [Theory]
    [InlineData("""
        apiVersion: kafka.strimzi.io/v1beta2
        kind: KafkaTopic
        metadata:
          name: orders
          labels:
            strimzi.io/cluster: platform
        spec:
          partitons: 12
          replicas: 3
        """, "partitons")]
    [InlineData("""
        apiVersion: kafka.strimzi.io/v1beta2
        kind: KafkaTopic
        metadata:
          name: orders
          labels:
            strimzi.io/cluster: platform
        spec:
          partitions: 12
          replicas: 3
          config:
            retention.msec: 1000
        """, "retention.msec")]
    [InlineData("""
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: example
        spec:
          policies:
            circuitbreakers: {}
          targets: {}
        """, "circuitbreakers")]
    [InlineData("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: pubsub
        spec:
          type: pubsub.kafka
          version: v1
          metadata:
            - name: brokers
              secretKeyRef:
                name: platform-kafka
                keys: brokers
        """, "keys")]
    [InlineData("""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: pubsub
        spec:
          type: pubsub.kafka
          version: v1
          metadata:
            - name: consumerGroupp
              value: "{appID}"
        """, "consumerGroupp")]
    [InlineData("""
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resource:
          - topics.yaml
        """, "resource")]
    public void A_misspelt_field_in_a_custom_object_fails_its_schema_check(string yaml, string misspelt)
    {
        var problems = SchemaProblems(Document("k8s/example.yaml", yaml));

        Assert.Contains(problems, p => p.Contains(misspelt, StringComparison.Ordinal));
    }

    [Fact]
    public void Each_kustomization_lists_only_files_that_exist_and_every_manifest_of_its_folder()
    {
        var failures = new List<string>();
        var kustomizations = ClusterRepository.Documents.Where(d => d.Kind == "Kustomization").ToList();
        Assert.NotEmpty(kustomizations);
        foreach (var kustomization in kustomizations)
        {
            var folder = Path.GetDirectoryName(Path.Combine(ClusterRepository.Root, kustomization.File))!;
            var listed = ClusterYaml.Items(kustomization.Node, "resources").Select(r => ((YamlScalarNode)r).Value!).ToList();
            foreach (var resource in listed)
            {
                var path = Path.Combine(folder, resource);
                var isManifest = File.Exists(path);
                var isFolder = Directory.Exists(path) && File.Exists(Path.Combine(path, "kustomization.yaml"));
                if (!isManifest && !isFolder)
                {
                    failures.Add($"{kustomization.File}: resource '{resource}' is neither a file nor a folder with a kustomization.yaml");
                }
            }

            if (ClusterRepository.IsMonitoring(kustomization.File))
            {
                continue;
            }

            // A manifest its kustomization does not list is never applied by kubectl apply -k, however correct it is.
            foreach (var manifest in Directory.EnumerateFiles(folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml"))
            {
                if (!listed.Contains(manifest!))
                {
                    failures.Add($"{kustomization.File}: {manifest} is in the folder but not in resources");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void The_root_kustomization_applies_every_platform_folder_and_leaves_the_control_plane_alone()
    {
        var root = ClusterRepository.Documents.Single(d => d.File == "k8s/kustomization.yaml");
        var listed = ClusterYaml.Items(root.Node, "resources").Select(r => ((YamlScalarNode)r).Value).ToHashSet();

        Assert.Superset(new HashSet<string?> { "namespaces", "dapr", "kafka", "network-policies" }, listed);
        Assert.DoesNotContain("dapr-system", listed);
    }

    [Fact]
    public void Every_object_sits_in_the_namespace_its_kustomization_puts_it_in()
    {
        var failures = new List<string>();
        var objects = ClusterRepository.OwnedObjects.ToList();
        foreach (var document in objects)
        {
            var folder = Path.GetDirectoryName(document.File)!.Replace('\\', '/');
            var kustomization = ClusterRepository.Documents.SingleOrDefault(d => d.File == $"{folder}/kustomization.yaml");
            var expected = ClusterYaml.Scalar(kustomization?.Node, "namespace");
            if (document.Kind == "Namespace")
            {
                if (document.Namespace is not null)
                {
                    failures.Add($"{document.Where}: a Namespace is cluster-scoped and has no metadata.namespace");
                }

                continue;
            }

            // kubectl apply -f on a single file must land where kubectl apply -k would.
            if (expected is null || document.Namespace != expected)
            {
                failures.Add($"{document.Where}: metadata.namespace is '{document.Namespace}', its kustomization says '{expected}'");
            }
        }

        Assert.NotEmpty(objects);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void The_platform_namespace_carries_the_monitoring_and_pod_security_labels()
    {
        var ns = ClusterCoreKinds.Parse<k8s.Models.V1Namespace>(ClusterRepository.Single("Namespace", "platform"));

        Assert.Equal("enabled", ns.Metadata.Labels["monitoring"]);
        Assert.Equal("platform", ns.Metadata.Labels["app.kubernetes.io/part-of"]);
        Assert.Equal("restricted", ns.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }

    internal static IReadOnlyList<string> SchemaProblems(ClusterDocument document)
    {
        var schema = ClusterSchemas.For(document.ApiVersion, document.Kind);
        if (schema is null)
        {
            return [$"{document.Where}: no schema for {document.ApiVersion}/{document.Kind}; known kinds: {string.Join(", ", ClusterSchemas.Kinds)}"];
        }

        var problems = ClusterSchemas.Violations(schema, document.ToJson().ToJsonString())
            .Select(v => $"{document.Where}: {v}")
            .ToList();

        if (document.Kind == "Component")
        {
            var type = ClusterYaml.Scalar(document.Node, "spec", "type") ?? "";
            if (!ClusterSchemas.ComponentMetadataNames.TryGetValue(type, out var documented))
            {
                problems.Add($"{document.Where}: component type '{type}' has no list of documented metadata names");
            }
            else
            {
                problems.AddRange(ClusterYaml.Items(document.Node, "spec", "metadata")
                    .Select(item => ClusterYaml.Scalar(item, "name"))
                    .Where(name => name is not null && !documented.Contains(name))
                    .Select(name => $"{document.Where}: metadata '{name}' is not a documented {type} setting"));
            }
        }

        return problems;
    }

    internal static ClusterDocument Document(string file, string yaml) => Assert.Single(ClusterYaml.LoadDocuments(file, yaml));
}
