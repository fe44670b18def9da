using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Platform.Connectors;
using Platform.Connectors.Magento;
using Platform.Contracts;
using Platform.Contracts.Catalog.V1;
using Platform.Inventory.Infrastructure;
using Platform.Local;
using Platform.Messaging;
using Platform.Messaging.Kafka;
using Platform.Order.Infrastructure;
using Platform.Ownership;
using Platform.State;
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
/// webhooks, an order the state machine refuses a step of, a malformed event, an ERP outage, a reconciliation, an
/// ownership refusal, and stock: a product the catalog publishes, an order line no stock covers, signed and forged
/// stock webhooks with a stale figure and one for an unknown SKU, and a storefront that refuses the first push. Then
/// every service's /metrics is scraped until each name the alerts and dashboards use has appeared, or the time is up.
/// </summary>
public sealed class RunningPlatform : IAsyncLifetime
{
    private const string Store = LocalPlatform.StoreCode;
    // The SKU the order webhooks sell: the stock steps give it stock, so its backorder becomes a reservation.
    private const string StockSku = "SKU-1";
    private const string StockSource = "erp";
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
        await Step("a product the catalog publishes", () => PublishProductAsync(StockSku, cancellationToken));
        // Order 000000501 reaches inventory before any stock for its SKU: its line waits on the backorder.
        await Step("an order line no stock covers", () => WaitForAsync("inventory", "platform_inventory_backordered_total", cancellationToken));
        await Step("a stock webhook with a forged signature", () => ExpectStatusAsync(
            StockWebhook(StockUpdates((StockSku, 1, 1)), signature: "t=1,v1=00"), HttpStatusCode.Unauthorized, cancellationToken));
        await Step("a stock figure the storefront refuses at first", () => StorefrontOutageAsync(cancellationToken));
        await Step("a stale stock figure and one for an unknown SKU", () => StaleAndUnknownAsync(cancellationToken));
        await Step("the stock push", () => WaitForAsync("inventory", "platform_inventory_push_latency_seconds_bucket", cancellationToken));
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
        await SetFaultAsync("erp", "{\"errorRate\": 1}", cancellationToken);
        try
        {
            await ExpectStatusAsync(Webhook(Order("000000504")), HttpStatusCode.Accepted, cancellationToken);
            await WaitForAsync("order", "platform_messaging_retries_total", cancellationToken);
            await WaitForAsync("order", "platform_order_export_failures_total", cancellationToken);
        }
        finally
        {
            await ClearFaultAsync("erp");
        }
    }

    private async Task SetFaultAsync(string system, string profile, CancellationToken cancellationToken)
    {
        using var set = new HttpRequestMessage(HttpMethod.Put, new Uri(Platform.HttpBase("sandbox"), $"_sandbox/faults/{system}"))
        {
            Content = new StringContent(profile, Encoding.UTF8, "application/json"),
        };
        set.Headers.Add("x-api-key", Platform.ApiKey);
        using var response = await _http!.SendAsync(set, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    private async Task ClearFaultAsync(string system)
    {
        using var clear = new HttpRequestMessage(HttpMethod.Delete, new Uri(Platform.HttpBase("sandbox"), $"_sandbox/faults/{system}"));
        clear.Headers.Add("x-api-key", Platform.ApiKey);
        using var response = await _http!.SendAsync(clear, CancellationToken.None);
    }

    private async Task PublishProductAsync(string sku, CancellationToken cancellationToken)
    {
        // The catalog service has no PIM feed in the local host yet; its publisher is what the feed will use.
        await Service<IEventPublisher>("catalog").PublishAsync(Topics.CatalogProducts, sku, new ProductUpserted
        {
            Sku = sku,
            Version = 1,
            OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        }, cancellationToken);

        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(StepTimeout);
        var state = Service<IStateStore>("inventory");
        while (await state.GetAsync(StockStore.KnownSkuKey(sku), step.Token) is null)
        {
            await Task.Delay(100, step.Token);
        }
    }

    private async Task StorefrontOutageAsync(CancellationToken cancellationToken)
    {
        // The first figure of the SKU is pushed at once (it comes into stock); Magento answers 5xx until the fault is
        // cleared, and the pusher sends the SKU again after Push:RetryAfter.
        await SetFaultAsync("magento", "{\"errorRate\": 1}", cancellationToken);
        try
        {
            await ExpectStatusAsync(StockWebhook(StockUpdates((StockSku, 12, 10))), HttpStatusCode.Accepted, cancellationToken);
            await WaitForAsync("inventory", "platform_inventory_push_failures_total", cancellationToken);
        }
        finally
        {
            await ClearFaultAsync("magento");
        }
    }

    private async Task StaleAndUnknownAsync(CancellationToken cancellationToken)
    {
        // Sequence 9 is older than the 10 applied; the unknown SKU is dead-lettered, and neither stops the other.
        await ExpectStatusAsync(StockWebhook(StockUpdates((StockSku, 99, 9), ("OBS-UNKNOWN-SKU", 5, 1))), HttpStatusCode.Accepted, cancellationToken);
        await WaitForSampleAsync("inventory", "platform_inventory_updates_total", ["outcome=\"stale\""], cancellationToken);
        await WaitForSampleAsync("inventory", "platform_inventory_updates_total", ["outcome=\"rejected\""], cancellationToken);
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

    private Task WaitForAsync(string service, string name, CancellationToken cancellationToken) =>
        WaitForSampleAsync(service, name, [], cancellationToken);

    private async Task WaitForSampleAsync(string service, string name, string[] labels, CancellationToken cancellationToken)
    {
        using var step = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        step.CancelAfter(StepTimeout);
        var scrape = await ScrapeAsync(service, cancellationToken);
        while (labels.Length == 0 ? !scrape.Names.Contains(name) : !scrape.HasSample(name, labels))
        {
            try
            {
                await Task.Delay(200, step.Token);
            }
            catch (OperationCanceledException) when (step.IsCancellationRequested)
            {
                throw new TimeoutException($"{service} did not serve {name}{(labels.Length == 0 ? "" : " with " + string.Join(", ", labels))} within {StepTimeout.TotalSeconds:0} s; it serves:\n  "
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

    private HttpRequestMessage StockWebhook(string body, string? signature = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var secret = Platform.SandboxCredentials["Sandbox:Stock:WebhookSecret"];
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Platform.HttpBase("inventory"), $"webhooks/stock/{StockSource}"))
        {
            Content = new ByteArrayContent(bytes),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.HeaderName, signature ?? WebhookSignature.CreateHeader(secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), bytes));
        request.Headers.Add("X-Platform-Webhook-Id", "observability-" + Guid.NewGuid().ToString("N"));
        return request;
    }

    // Absolute levels at the ERP's Berlin warehouse, which the local host maps to the storefront source "berlin".
    private static string StockUpdates(params (string Sku, decimal Quantity, long Sequence)[] updates) =>
        JsonSerializer.Serialize(new
        {
            updates = updates.Select(u => new { sku = u.Sku, location = "WH-BER", type = "absolute", quantity = u.Quantity, sequence = u.Sequence }),
        });

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
