using System.CommandLine;
using Platform.Local.Scenarios;
using Spectre.Console;

namespace Platform.Local;

public static class LocalCommandLine
{
    public static RootCommand Build()
    {
        var bus = new Option<string>("--bus")
        {
            Description = "Event bus: in-memory (nothing to install), kafka-mock (librdkafka's mock cluster in this process) or kafka.",
            DefaultValueFactory = _ => "in-memory",
        };
        bus.AcceptOnlyFromAmong("in-memory", "kafka-mock", "kafka");
        var kafka = new Option<string?>("--kafka") { Description = "Kafka bootstrap servers, with --bus kafka (e.g. localhost:9092)." };
        var redis = new Option<string?>("--redis") { Description = "Redis connection string for state (e.g. localhost:6379); in-memory state when absent." };
        var basePort = new Option<int>("--base-port")
        {
            Description = "First port: service i listens on base+10i (HTTP: metrics, health, webhooks) and base+10i+1 (gRPC).",
            DefaultValueFactory = _ => 5100,
            // Parsed here so a word or an out-of-range number is a usage error, not a crash.
            CustomParser = result =>
            {
                var raw = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (!int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value is < 1024 or > 65000)
                {
                    result.AddError($"--base-port must be a number between 1024 and 65000 (was '{raw}').");
                    return 0;
                }

                return value;
            },
        };
        var verbose = new Option<bool>("--verbose") { Description = "Show the services' information logs, not only warnings and errors." };

        foreach (var option in new Option[] { bus, kafka, redis, basePort, verbose })
        {
            option.Recursive = true;
        }

        var root = new RootCommand("Runs the five platform services and the sandbox in one process on 127.0.0.1.")
        {
            bus, kafka, redis, basePort, verbose,
        };
        root.Subcommands.Add(ScenarioCommands.Build(parse => ReadOptions(parse, bus, kafka, redis, basePort, verbose)));
        root.SetAction(async (parse, cancellationToken) =>
        {
            return await RunAsync(ReadOptions(parse, bus, kafka, redis, basePort, verbose), cancellationToken);
        });
        return root;
    }

    private static LocalOptions ReadOptions(ParseResult parse, Option<string> bus, Option<string?> kafka, Option<string?> redis, Option<int> basePort, Option<bool> verbose) => new()
    {
        Bus = parse.GetValue(bus) switch
        {
            "kafka-mock" => LocalBus.KafkaMock,
            "kafka" => LocalBus.Kafka,
            _ => LocalBus.InMemory,
        },
        KafkaBootstrap = parse.GetValue(kafka),
        Redis = parse.GetValue(redis),
        BasePort = parse.GetValue(basePort),
        Verbose = parse.GetValue(verbose),
    };

    private static async Task<int> RunAsync(LocalOptions options, CancellationToken cancellationToken)
    {
        if (options.Bus == LocalBus.Kafka && string.IsNullOrWhiteSpace(options.KafkaBootstrap))
        {
            AnsiConsole.MarkupLine("[red]--bus kafka needs --kafka <bootstrap servers>[/]");
            return 2;
        }

        AnsiConsole.MarkupLine("[grey]Starting the platform...[/]");
        await using var platform = await LocalPlatform.StartAsync(options, cancellationToken);
        var readiness = await LocalProbe.ProbeAsync(platform, cancellationToken);
        ShowTable(platform, readiness);
        AnsiConsole.MarkupLine("[grey]Press Ctrl+C to stop.[/]");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            AnsiConsole.MarkupLine("[grey]Stopping...[/]");
        }

        return 0;
    }

    private static void ShowTable(LocalPlatform platform, IReadOnlyDictionary<string, string> readiness)
    {
        var table = new Table().Title("Commerce integration platform, local").AddColumns("service", "gRPC", "HTTP (metrics, health, webhooks)", "ready");
        foreach (var (service, endpoints) in platform.Endpoints)
        {
            var state = readiness.GetValueOrDefault(service.Name, "?");
            table.AddRow(service.Name, endpoints.Grpc.ToString(), endpoints.Http + "metrics", state == "SERVING" ? "[green]SERVING[/]" : $"[red]{Markup.Escape(state)}[/]");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"bus: [bold]{Markup.Escape(platform.BusDescription)}[/]   state: [bold]{Markup.Escape(platform.StateDescription)}[/]");
        AnsiConsole.MarkupLine($"API key for this run (header x-api-key, every scope): [bold]{platform.ApiKey}[/]");
    }
}
