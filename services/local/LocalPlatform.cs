using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Platform.Catalog;
using Platform.Customer;
using Platform.Hosting;
using Platform.Inventory;
using Platform.Messaging;
using Platform.Messaging.InMemory;
using Platform.Messaging.Kafka;
using Platform.Order;
using Platform.Sandbox;
using Platform.State;
using Platform.Tracking;

namespace Platform.Local;

/// <summary>One service as the local host runs it: its name and the two calls its own Program.cs makes.</summary>
public sealed record LocalService(string Name, Action<WebApplicationBuilder> Add, Action<WebApplication> Map);

/// <summary>
/// The five services and the sandbox in one process, each a WebApplication of its own on its own 127.0.0.1 ports,
/// built with exactly the calls its own Program.cs makes. Only the shared pieces differ: one in-memory log (or one
/// Kafka cluster) and one reference-cache bus for all, as a cluster would share Kafka and Redis.
/// </summary>
public sealed class LocalPlatform : IAsyncDisposable
{
    public static readonly IReadOnlyList<LocalService> Services =
    [
        new(CatalogService.Name, b => b.AddCatalogService(), a => a.MapCatalogService()),
        new(InventoryService.Name, b => b.AddInventoryService(), a => a.MapInventoryService()),
        new(OrderService.Name, b => b.AddOrderService(), a => a.MapOrderService()),
        new(CustomerService.Name, b => b.AddCustomerService(), a => a.MapCustomerService()),
        new(TrackingService.Name, b => b.AddTrackingService(), a => a.MapTrackingService()),
        new(SandboxName, b => b.AddSandbox(), a => a.MapSandbox().RequireScope(PlatformScopes.Admin(SandboxName))),
    ];

    public const string SandboxName = "sandbox";

    private readonly List<(LocalService Service, WebApplication App)> _apps = [];
    private readonly LocalOptions _options;
    private KafkaMockCluster? _mockCluster;
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    private LocalPlatform(LocalOptions options)
    {
        _options = options;
        ApiKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        SandboxCredentials = SandboxSecrets.Generate();
    }

    /// <summary>A key made for this run only, with every scope: there is no built-in key to leak.</summary>
    public string ApiKey { get; }

    public IReadOnlyDictionary<string, string> SandboxCredentials { get; }

    public string BusDescription { get; private set; } = "in-memory";

    public string StateDescription => _options.Redis is null ? "in-memory" : "redis " + _options.Redis;

    public IReadOnlyList<(LocalService Service, PlatformEndpoints Endpoints)> Endpoints =>
        _apps.Select(a => (a.Service, a.App.Services.GetPlatformEndpoints())).ToList();

    public WebApplication App(string service) => _apps.Single(a => a.Service.Name == service).App;

    public static async Task<LocalPlatform> StartAsync(LocalOptions options, CancellationToken cancellationToken)
    {
        var platform = new LocalPlatform(options);
        try
        {
            await platform.StartAppsAsync(cancellationToken);
            return platform;
        }
        catch
        {
            await platform.DisposeAsync();
            throw;
        }
    }

    private async Task StartAppsAsync(CancellationToken cancellationToken)
    {
        InMemoryTransport? sharedLog = null;
        string? bootstrap = null;
        switch (_options.Bus)
        {
            case LocalBus.KafkaMock:
                _mockCluster = new KafkaMockCluster();
                bootstrap = _mockCluster.BootstrapServers;
                CreateTopics(_mockCluster);
                BusDescription = "kafka mock cluster " + bootstrap;
                break;
            case LocalBus.Kafka:
                bootstrap = _options.KafkaBootstrap ?? throw new ArgumentException("--kafka <bootstrap servers> is required with --bus kafka");
                BusDescription = "kafka " + bootstrap;
                break;
            default:
                sharedLog = new InMemoryTransport();
                break;
        }

        var cacheBus = new InMemoryReferenceCacheBus();
        for (var index = 0; index < Services.Count; index++)
        {
            var service = Services[index];
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                EnvironmentName = "Development",
                ContentRootPath = AppContext.BaseDirectory,
            });
            builder.Configuration.Sources.Clear();
            builder.Configuration.AddInMemoryCollection(Settings(service.Name, index, bootstrap));
            if (sharedLog is not null)
            {
                builder.Services.AddSingleton<IMessageTransport>(sharedLog);
            }

            builder.Services.AddSingleton(cacheBus);
            builder.AddPlatformDefaults(service.Name);
            service.Add(builder);
            var app = builder.Build();
            app.MapPlatformDefaults();
            service.Map(app);
            _apps.Add((service, app));
        }

        // The simulated systems first: the services call them as soon as they start (the order poll, for one).
        foreach (var (_, sandbox) in _apps.Where(a => a.Service.Name == SandboxName))
        {
            await sandbox.StartAsync(cancellationToken);
        }

        await Task.WhenAll(_apps.Where(a => a.Service.Name != SandboxName).Select(a => a.App.StartAsync(cancellationToken)));
    }

    // The mock cluster would create each topic on first use, but a consumer that subscribed before then waits for its
    // next metadata refresh to be assigned it. Creating them up front, as the Strimzi KafkaTopics do in a cluster,
    // makes the local run flow from the first event.
    private static void CreateTopics(KafkaMockCluster cluster)
    {
        string[] streams =
        [
            Platform.Contracts.Topics.CatalogProducts, Platform.Contracts.Topics.InventoryStock, Platform.Contracts.Topics.OrderOrders,
            Platform.Contracts.Topics.CustomerCustomers, Platform.Contracts.Topics.TrackingShipments,
            Platform.Order.Infrastructure.IngestPublisher.Topic, Platform.Inventory.Infrastructure.StockIntake.Topic,
        ];
        var groups = Services.Where(s => s.Name != SandboxName).SelectMany(s => new[] { s.Name + ".retry", s.Name + ".dlq" });
        foreach (var topic in streams.Concat(groups))
        {
            cluster.CreateTopicNamed(topic, TopicPartitions);
        }
    }

    private const int TopicPartitions = 8;

    /// <summary>Where the sandbox drops stock files and the inventory service watches for them, for this run only.</summary>
    public string StockDropFolder { get; } = Path.Combine(Path.GetTempPath(), $"platform-local-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40], "stock-drop");

    private Dictionary<string, string?> Settings(string service, int index, string? kafkaBootstrap)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Hosting:BindAddress"] = "127.0.0.1",
            ["Platform:Hosting:HttpPort"] = (_options.BasePort + index * 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Platform:Hosting:GrpcPort"] = (_options.BasePort + index * 10 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Platform:Auth:ApiKeys:0:Name"] = "local-run",
            ["Platform:Auth:ApiKeys:0:Key"] = ApiKey,
            ["Platform:Auth:ApiKeys:0:Scopes:0"] = PlatformScopes.Admin(service),
            ["Platform:Bus:Provider"] = kafkaBootstrap is null ? "InMemory" : "Kafka",
            ["Platform:State:Provider"] = _options.Redis is null ? "InMemory" : "Redis",
            ["Logging:LogLevel:Default"] = _options.Verbose ? "Information" : "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Sandbox:Seed"] = "20261122",
        };
        if (kafkaBootstrap is not null)
        {
            settings["Platform:Bus:Kafka:BootstrapServers"] = kafkaBootstrap;
            if (_mockCluster is not null)
            {
                foreach (var (name, value) in KafkaMockCluster.ConsumerSettings)
                {
                    settings["Platform:Bus:Kafka:ConsumerSettings:" + name] = value;
                }
            }
        }

        if (_options.Redis is not null)
        {
            settings["Platform:State:Redis:ConnectionString"] = _options.Redis;
            if (_options.FreshState)
            {
                settings["Platform:State:Redis:StoreName"] = $"{service}-{_runId}";
            }
        }

        foreach (var (key, value) in SandboxCredentials)
        {
            settings[key] = value;
        }

        foreach (var (key, value) in Wiring(service))
        {
            settings[key] = value;
        }

        return settings;
    }

    public const string StoreCode = "default";

    /// <summary>The HTTP base address the local host gives a service (metrics, health, webhooks).</summary>
    public Uri HttpBase(string service) => new($"http://127.0.0.1:{_options.BasePort + Index(service) * 10}/");

    private static int Index(string service) => Services.Select((s, i) => (s.Name, i)).Single(s => s.Name == service).i;

    /// <summary>How the services reach the sandbox and the sandbox reaches them, with this run's credentials.</summary>
    private Dictionary<string, string?> Wiring(string service)
    {
        var sandbox = HttpBase("sandbox");
        return service switch
        {
            OrderService.Name => new()
            {
                ["Order:Stores:0"] = StoreCode,
                ["Order:PollInterval"] = "00:00:05",
                ["Platform:Connectors:magento:BaseAddress"] = new Uri(sandbox, "magento/").ToString(),
                ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
                ["Platform:Connectors:magento:Authentication:Token"] = SandboxCredentials["Sandbox:Magento:AccessToken"],
                ["Platform:Connectors:magento:Webhooks:Secrets:" + StoreCode] = SandboxCredentials["Sandbox:Magento:WebhookSecret"],
                ["Platform:Connectors:magento:RateLimit:PermitsPerSecond"] = "200",
                ["Platform:Connectors:magento:RateLimit:Burst"] = "200",
                ["Platform:Connectors:erp:BaseAddress"] = new Uri(sandbox, "erp/").ToString(),
                ["Platform:Connectors:erp:Authentication:Scheme"] = "ApiKey",
                ["Platform:Connectors:erp:Authentication:Key"] = SandboxCredentials["Sandbox:Erp:ApiKey"],
                ["Platform:Connectors:erp:RateLimit:PermitsPerSecond"] = "5000",
                ["Platform:Connectors:erp:RateLimit:Burst"] = "5000",
                ["Platform:Connectors:erp:RateLimit:QueueLimit"] = "100000",
                // A failing ERP call must not hold its partition for seconds: quick retries in place, then the retry topic.
                ["Platform:Connectors:erp:Retry:BaseDelay"] = "00:00:00.100",
                ["Order:FailurePolicy:InPlaceRetries"] = "1",
                ["Order:FailurePolicy:RetryTopicDelay"] = "00:00:01",
            },
            InventoryService.Name => new()
            {
                ["Platform:Connectors:magento:BaseAddress"] = new Uri(sandbox, "magento/").ToString(),
                ["Platform:Connectors:magento:Authentication:Scheme"] = "Bearer",
                ["Platform:Connectors:magento:Authentication:Token"] = SandboxCredentials["Sandbox:Magento:AccessToken"],
                ["Platform:Connectors:magento:RateLimit:PermitsPerSecond"] = "200",
                ["Platform:Connectors:magento:RateLimit:Burst"] = "200",
                ["Platform:Connectors:magento:RateLimit:QueueLimit"] = "10000",
                ["Platform:Connectors:magento:Inventory:InputLimit"] = "20",
                ["Platform:Connectors:erp:BaseAddress"] = new Uri(sandbox, "erp/").ToString(),
                ["Platform:Connectors:erp:Authentication:Scheme"] = "ApiKey",
                ["Platform:Connectors:erp:Authentication:Key"] = SandboxCredentials["Sandbox:Erp:ApiKey"],
                ["Platform:Connectors:erp:RateLimit:PermitsPerSecond"] = "5000",
                ["Platform:Connectors:erp:RateLimit:Burst"] = "5000",
                ["Inventory:Sources:erp:Reports"] = "Physical",
                ["Inventory:Sources:erp:WebhookSecret"] = SandboxCredentials["Sandbox:Stock:WebhookSecret"],
                ["Inventory:Sources:erp:Pull:Enabled"] = "true",
                ["Inventory:Sources:erp:Pull:Interval"] = "00:00:01",
                ["Inventory:Sources:wms:Reports"] = "Available",
                ["Inventory:Sources:wms:WebhookSecret"] = SandboxCredentials["Sandbox:Stock:WebhookSecret"],
                ["Inventory:Locations:0:Source"] = "erp",
                ["Inventory:Locations:0:SourceLocation"] = "WH-BER",
                ["Inventory:Locations:0:Location"] = "berlin",
                ["Inventory:Locations:1:Source"] = "erp",
                ["Inventory:Locations:1:SourceLocation"] = "WH-HAM",
                ["Inventory:Locations:1:Location"] = "hamburg",
                ["Inventory:Locations:2:Source"] = "wms",
                ["Inventory:Locations:2:SourceLocation"] = "DC-LEJ",
                ["Inventory:Locations:2:Location"] = "leipzig",
                ["Inventory:Thresholds:SafetyStock"] = "1",
                ["Inventory:Thresholds:LowStockLevel"] = "5",
                ["Inventory:Targets:magento:Expects"] = "PhysicalLessOwnReservations",
                ["Inventory:Targets:magento:Store"] = StoreCode,
                ["Inventory:Push:Window"] = "00:00:01",
                ["Inventory:CsvDrop:Enabled"] = "true",
                ["Inventory:CsvDrop:Path"] = StockDropFolder,
                ["Inventory:CsvDrop:PollInterval"] = "00:00:00.500",
            },
            "sandbox" => new()
            {
                ["Sandbox:Magento:Webhooks:Url"] = new Uri(HttpBase(OrderService.Name), $"webhooks/magento/{StoreCode}/orders").ToString(),
                ["Sandbox:Magento:WebhookConcurrency"] = "16",
                ["Sandbox:Magento:Sources:0"] = "default",
                ["Sandbox:Magento:Sources:1"] = "berlin",
                ["Sandbox:Magento:Sources:2"] = "hamburg",
                ["Sandbox:Magento:Sources:3"] = "leipzig",
                ["Sandbox:Stock:WebhookUrl"] = new Uri(HttpBase(InventoryService.Name), "webhooks/stock/{source}").ToString(),
                ["Sandbox:Stock:CsvFolder"] = StockDropFolder,
                ["Sandbox:Stock:WebhookConcurrency"] = "16",
            },
            _ => [],
        };
    }

    public async ValueTask DisposeAsync()
    {
        // The simulated systems stop last, as they started first: a service stopping must not find them gone.
        foreach (var (_, app) in Enumerable.Reverse(_apps).OrderBy(a => a.Service.Name == SandboxName))
        {
            try
            {
                await app.StopAsync(TimeSpan.FromSeconds(10));
            }
            finally
            {
                await app.DisposeAsync();
            }
        }

        _apps.Clear();
        _mockCluster?.Dispose();
        var runFolder = Path.GetDirectoryName(StockDropFolder)!;
        if (Directory.Exists(runFolder))
        {
            Directory.Delete(runFolder, recursive: true);
        }
    }
}

/// <summary>Credentials of the simulated systems, made per run and handed to both sides.</summary>
internal static class SandboxSecrets
{
    public static IReadOnlyDictionary<string, string> Generate()
    {
        static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        return new Dictionary<string, string>
        {
            ["Sandbox:Magento:AccessToken"] = Secret(),
            ["Sandbox:Shopify:AccessToken"] = "shpat_" + Secret(),
            ["Sandbox:Erp:ApiKey"] = Secret(),
            ["Sandbox:Pim:ClientId"] = "local-" + Secret()[..8],
            ["Sandbox:Pim:ClientSecret"] = Secret(),
            ["Sandbox:Pim:Username"] = "platform_connector",
            ["Sandbox:Pim:Password"] = Secret(),
            ["Sandbox:Tpl:ApiToken"] = Secret(),
            ["Sandbox:Crm:AccessToken"] = "pat-" + Secret(),
            ["Sandbox:Magento:WebhookSecret"] = Secret(),
            ["Sandbox:Stock:WebhookSecret"] = Secret(),
        };
    }
}
