using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors.Magento;
using Platform.Hosting.Runtime;
using Platform.Local;
using Platform.Messaging;
using Platform.Messaging.Kafka;
using Platform.Order.Infrastructure;
using Platform.Ownership;
using YamlDotNet.RepresentationModel;

namespace Platform.Observability.Tests;

/// <summary>What one service served at /metrics: the sample lines and the names they carry.</summary>
internal sealed class Scrape
{
    public Scrape(string service, string text)
    {
        Service = service;
        Lines = text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToList();
        Names = Lines.Select(l => l[..l.IndexOfAny(['{', ' '])]).ToHashSet(StringComparer.Ordinal);
        Text = text;
    }

    public string Service { get; }
    public string Text { get; }
    public IReadOnlyList<string> Lines { get; }
    public IReadOnlySet<string> Names { get; }

    public bool HasSample(string name, params string[] labels) =>
        Lines.Any(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)));
}

/// <summary>
/// The whole platform as the local host runs it (every service and the sandbox, in this process, on 127.0.0.1), on
/// librdkafka's mock cluster so that the Kafka-only metrics exist too, with a little traffic behind it: signed and forged
/// webhooks, an order the state machine refuses a step of, a malformed event, an ERP outage, a reconciliation, a
/// stock flow and an ownership refusal. Then every service's /metrics is scraped until each name the alerts and
/// dashboards use has appeared, or the time is up.
/// </summary>
public sealed class RunningPlatform : IAsyncLifetime
{
    private const string Store = LocalPlatform.StoreCode;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(50);
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);

    private readonly List<string> _trafficProblems = [];
    private KafkaMockCluster? _cluster;
    private LocalPlatform? _platform;
    private HttpClient? _http;

    /// <summary>Metric names the alerts and dashboards read, that a running service should serve.</summary>
    internal static IReadOnlyDictionary<string, IReadOnlyList<string>> UsedNames { get; } = MetricUsage.NamesWithUsers();

    internal IReadOnlyDictionary<string, Scrape> Scrapes { get; private set; } = new Dictionary<string, Scrape>();

    internal IReadOnlyList<string> TrafficProblems => _trafficProblems;

    internal TimeSpan Elapsed { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(Budget);
        var cancellationToken = timeout.Token;
        // The cluster is made here, with every topic a production cluster has (k8s/kafka), before any consumer
        // subscribes: a subscribed topic that appears after the group's first assignment is only assigned
        // about 50 s later on the mock cluster, which would leave the order events unhandled for this whole run.
        _cluster = new KafkaMockCluster();
        _cluster.SetGroupInitialRebalanceDelay(TimeSpan.FromMilliseconds(200));
        foreach (var (topic, partitions) in ProductionTopics())
        {
            _cluster.CreateTopicNamed(topic, partitions);
        }

        _platform = await LocalPlatform.StartAsync(
            new LocalOptions { BasePort = FreePortRange(LocalPlatform.Services.Count), Bus = LocalBus.Kafka, KafkaBootstrap = _cluster.BootstrapServers },
            cancellationToken);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

        await Step("a signed webhook", () => ExpectStatusAsync(Webhook(Order("000000501")), HttpStatusCode.Accepted, cancellationToken));
        await Step("a webhook with a forged signature", () => ExpectStatusAsync(Webhook(Order("000000502"), signature: "t=1,v1=00"), HttpStatusCode.Unauthorized, cancellationToken));
        // Magento reports it already shipped on first sight: placed orders cannot ship before the ERP has them.
        await Step("an order that arrives shipped", () => ExpectStatusAsync(Webhook(Order("000000503", shipped: 2)), HttpStatusCode.Accepted, cancellationToken));
        await Step("a malformed event", () => ProduceMalformedAsync(cancellationToken));
        // No inventory flow records stock yet; the inventory service's own SyncFreshness is what its stock flows record into.
        await Step("a stock flow", () =>
        {
            Service<SyncFreshness>("inventory").RecordSuccess("stock.erp");
            return Task.CompletedTask;
        });
        // No handler checks ownership yet; this is the guard every service's handlers are given.
        await Step("an ownership refusal", () =>
        {
            Service<OwnershipGuard>("catalog").Check("erp", "product", ["name"]);
            return Task.CompletedTask;
        });
        await Step("the first export", () => WaitForAsync("order", "platform_order_orders_exported_total", cancellationToken));
        await Step("a reconciliation", () => Service<OrderReconciler>("order").ReconcileAsync(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(1), null, cancellationToken));
        await Step("an ERP outage", () => ErpOutageAsync(cancellationToken));

        await ScrapeUntilEveryUsedNameIsServedAsync(cancellationToken);
        Elapsed = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_platform is not null)
        {
            await _platform.DisposeAsync();
        }

        _cluster?.Dispose();
    }

    private static IEnumerable<(string Topic, int Partitions)> ProductionTopics()
    {
        foreach (var file in Directory.EnumerateFiles(Repository.Path("k8s/kafka"), "*.yaml"))
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(file);
            stream.Load(reader);
            foreach (var document in stream.Documents.Where(d => Yaml.Scalar(d.RootNode, "kind") == "KafkaTopic"))
            {
                var name = Yaml.Scalar(Yaml.Child(document.RootNode, "metadata"), "name")!;
                var partitions = int.Parse(Yaml.Scalar(Yaml.Child(document.RootNode, "spec"), "partitions")!, System.Globalization.CultureInfo.InvariantCulture);
                yield return (name, partitions);
            }
        }
    }

    private LocalPlatform Platform => _platform ?? throw new InvalidOperationException("the platform is not running");

    private T Service<T>(string service)
        where T : notnull => Platform.App(service).Services.GetRequiredService<T>();

    private async Task Step(string what, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception exception)
        {
            // Recorded, not thrown: the scrape still runs, and the tests name the step along with the missing metrics.
            _trafficProblems.Add($"{what}: {exception.GetType().Name}: {exception.Message}");
        }
    }

    private async Task ErpOutageAsync(CancellationToken cancellationToken)
    {
        var faults = new Uri(Platform.HttpBase("sandbox"), "_sandbox/faults/erp");
        using var set = new HttpRequestMessage(HttpMethod.Put, faults) { Content = new StringContent("{\"errorRate\": 1}", Encoding.UTF8, "application/json") };
        set.Headers.Add("x-api-key", Platform.ApiKey);
        using (var response = await _http!.SendAsync(set, cancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }

        try
        {
            await ExpectStatusAsync(Webhook(Order("000000504")), HttpStatusCode.Accepted, cancellationToken);
            await WaitForAsync("order", "platform_messaging_retries_total", cancellationToken);
            await WaitForAsync("order", "platform_order_export_failures_total", cancellationToken);
        }
        finally
        {
            using var clear = new HttpRequestMessage(HttpMethod.Delete, faults);
            clear.Headers.Add("x-api-key", Platform.ApiKey);
            using var response = await _http!.SendAsync(clear, CancellationToken.None);
        }
    }

    private async Task ProduceMalformedAsync(CancellationToken cancellationToken)
    {
        // No CloudEvents headers: the order group dead-letters it at once as malformed and goes on.
        var transport = Service<IMessageTransport>("order");
        await transport.ProduceAsync(new TransportMessage("order.ingest.v1", "malformed", new Dictionary<string, string>(), Encoding.UTF8.GetBytes("not an event")), cancellationToken);
        await WaitForAsync("order", "platform_messaging_dead_letters_total", cancellationToken);
    }

    private async Task ExpectStatusAsync(HttpRequestMessage request, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using (request)
        using (var response = await _http!.SendAsync(request, cancellationToken))
        {
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }
        }
    }

    private async Task WaitForAsync(string service, string name, CancellationToken cancellationToken)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(StepTimeout);
        var scrape = await ScrapeAsync(service, cancellationToken);
        while (!scrape.Names.Contains(name))
        {
            try
            {
                await Task.Delay(200, step.Token);
            }
            catch (OperationCanceledException) when (step.IsCancellationRequested)
            {
                throw new TimeoutException($"{service} did not serve {name} within {StepTimeout.TotalSeconds:0} s; it serves:\n  "
                    + string.Join("\n  ", scrape.Lines.Where(l => l.StartsWith("platform_", StringComparison.Ordinal) && !l.Contains("_bucket{", StringComparison.Ordinal))));
            }

            scrape = await ScrapeAsync(service, cancellationToken);
        }
    }

    private async Task ScrapeUntilEveryUsedNameIsServedAsync(CancellationToken cancellationToken)
    {
        var expected = UsedNames.Keys.Where(name => !MetricUsage.WrittenByPrometheus.ContainsKey(name)).ToList();
        while (true)
        {
            var scrapes = new Dictionary<string, Scrape>(StringComparer.Ordinal);
            foreach (var service in LocalPlatform.Services)
            {
                scrapes[service.Name] = await ScrapeAsync(service.Name, CancellationToken.None);
            }

            Scrapes = scrapes;
            if (cancellationToken.IsCancellationRequested || expected.All(name => scrapes.Values.Any(s => s.Names.Contains(name))))
            {
                return;
            }

            await Task.Delay(250, CancellationToken.None);
        }
    }

    private async Task<Scrape> ScrapeAsync(string service, CancellationToken cancellationToken) =>
        new(service, await _http!.GetStringAsync(new Uri(Platform.HttpBase(service), "metrics"), cancellationToken));

    private HttpRequestMessage Webhook(string body, string? signature = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var secret = Platform.SandboxCredentials["Sandbox:Magento:WebhookSecret"];
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Platform.HttpBase("order"), $"webhooks/magento/{Store}/orders"))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(MagentoWebhookSignature.HeaderName, signature ?? MagentoWebhookSignature.CreateHeader(secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), bytes));
        request.Headers.Add("X-Platform-Webhook-Id", "observability-" + Guid.NewGuid().ToString("N"));
        return request;
    }

    private static string Order(string incrementId, int shipped = 0)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        return $$"""
            {
              "entity_id": {{int.Parse(incrementId, System.Globalization.CultureInfo.InvariantCulture)}}, "increment_id": "{{incrementId}}", "store_id": 1,
              "created_at": "{{now}}", "updated_at": "{{now}}",
              "status": "{{(shipped > 0 ? "complete" : "pending")}}", "state": "{{(shipped > 0 ? "complete" : "new")}}", "order_currency_code": "EUR",
              "grand_total": 34.67, "subtotal": 25.00, "shipping_amount": 4.90, "tax_amount": 4.77,
              "customer_id": 17, "customer_is_guest": 0, "customer_email": "buyer@example.com",
              "items": [ { "item_id": 1, "sku": "SKU-1", "product_type": "simple", "qty_ordered": 2, "qty_shipped": {{shipped}}, "price": 12.50, "row_total": 25.00, "tax_amount": 4.77 } ],
              "billing_address": { "country_id": "DE", "region_code": "BE", "firstname": "Erika", "street": ["Hauptstr. 1"] }
            }
            """;
    }

    // The local host lays the services out at base + 10i (HTTP) and base + 10i + 1 (gRPC); find a base where all are free.
    private static int FreePortRange(int services)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var basePort = Random.Shared.Next(20_000, 60_000) / 10 * 10;
            if (Enumerable.Range(0, services).SelectMany(i => new[] { basePort + i * 10, basePort + i * 10 + 1 }).All(IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException("no free range of loopback ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
