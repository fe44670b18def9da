using System.CommandLine;
using System.Text.Json;
using Spectre.Console;

namespace Platform.Local.Scenarios;

/// <summary><c>scenario &lt;name&gt;</c>: runs the platform, drives one flow end to end, prints the outcome as JSON last.</summary>
public static class ScenarioCommands
{
    public static Command Build(Func<ParseResult, LocalOptions> localOptions)
    {
        var scenario = new Command("scenario", "Drive one flow end to end against the sandbox and print the outcome as one JSON line.");
        var orders = new Option<int>("--orders") { Description = "Orders to place in the sandbox storefront.", DefaultValueFactory = _ => 200 };
        var erpErrorRate = new Option<double>("--erp-error-rate") { Description = "Share of ERP calls answered 503 (0 to 1).", DefaultValueFactory = _ => 0 };
        var duplicates = new Option<double>("--duplicate-webhooks") { Description = "Share of webhooks delivered twice (0 to 1).", DefaultValueFactory = _ => 0 };
        var timeout = new Option<int>("--timeout-seconds") { Description = "Give up waiting for the flow to settle after this long.", DefaultValueFactory = _ => 600 };
        var orderRate = new Option<int>("--rate") { Description = "Orders per second the storefront places; 0 places them as fast as it can (for throughput), a steady rate measures latency below the limit.", DefaultValueFactory = _ => 0 };
        var warmup = new Option<int>("--warmup") { Description = "Orders placed and exported first and left out of the speed figures (they are checked like the others).", DefaultValueFactory = _ => 0 };
        var ordersCommand = new Command("orders", "Storefront orders to the ERP exactly once, with cancellations, refunds and split shipments.") { orders, erpErrorRate, duplicates, orderRate, warmup, timeout };
        ordersCommand.Validators.Add(result =>
        {
            if (result.GetValue(orders) is < 1 or > 100_000)
            {
                result.AddError("--orders must be between 1 and 100000.");
            }

            if (result.GetValue(warmup) is < 0 or > 100_000)
            {
                result.AddError("--warmup must be between 0 and 100000.");
            }

            if (result.GetValue(orderRate) is < 0 or > 100_000)
            {
                result.AddError("--rate must be between 0 and 100000 orders per second.");
            }

            if (result.GetValue(erpErrorRate) is < 0 or > 0.9 || result.GetValue(duplicates) is < 0 or > 1)
            {
                result.AddError("--erp-error-rate must be between 0 and 0.9 and --duplicate-webhooks between 0 and 1.");
            }
        });
        ordersCommand.SetAction(async (parse, cancellationToken) =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            var outcome = await RunAsync(console, localOptions(parse), platform => new OrdersScenario(platform, new OrdersScenarioOptions(
                parse.GetValue(orders), parse.GetValue(erpErrorRate), parse.GetValue(duplicates), TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(orderRate), parse.GetValue(warmup))).RunAsync(console, cancellationToken), cancellationToken);
            Console.Out.WriteLine(outcome.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            var clean = outcome["lost"]!.GetValue<int>() == 0 && outcome["erpDuplicates"]!.GetValue<long>() == 0 && outcome["reconciliationMismatches"]!.GetValue<long>() == 0;
            return clean ? 0 : 3;
        });
        scenario.Subcommands.Add(ordersCommand);
        scenario.Subcommands.Add(InventoryCommand(localOptions, timeout));
        return scenario;
    }

    private static Command InventoryCommand(Func<ParseResult, LocalOptions> localOptions, Option<int> timeout)
    {
        var skus = new Option<int>("--skus") { Description = "SKUs the updates are spread over.", DefaultValueFactory = _ => 100 };
        var updates = new Option<int>("--updates") { Description = "Stock updates the ERP and WMS send.", DefaultValueFactory = _ => 1000 };
        var outOfOrder = new Option<double>("--out-of-order") { Description = "Share of updates delivered late (after a newer one) or twice (0 to 1).", DefaultValueFactory = _ => 0 };
        var orders = new Option<int>("--orders") { Description = "Storefront orders that reserve stock while the updates flow; every third is cancelled.", DefaultValueFactory = _ => 0 };
        var rate = new Option<int>("--rate") { Description = "Updates per second the sources send; 0 sends as fast as the feed goes (for throughput), a steady rate measures latency below the limit.", DefaultValueFactory = _ => 0 };
        var command = new Command("inventory", "ERP and warehouse stock to the storefront, with reservations, stale updates and threshold pushes.") { skus, updates, outOfOrder, orders, rate, timeout };
        command.Validators.Add(result =>
        {
            if (result.GetValue(skus) is < 1 or > 100_000 || result.GetValue(updates) is < 1 or > 1_000_000 || result.GetValue(orders) is < 0 or > 100_000)
            {
                result.AddError("--skus must be 1 to 100000, --updates 1 to 1000000 and --orders 0 to 100000.");
            }

            if (result.GetValue(outOfOrder) is < 0 or > 1)
            {
                result.AddError("--out-of-order must be between 0 and 1.");
            }

            if (result.GetValue(rate) is < 0 or > 1_000_000)
            {
                result.AddError("--rate must be between 0 (as fast as possible) and 1000000.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            var outcome = await RunAsync(console, localOptions(parse), platform => new InventoryScenario(platform, new InventoryScenarioOptions(
                parse.GetValue(skus), parse.GetValue(updates), parse.GetValue(outOfOrder), parse.GetValue(orders), TimeSpan.FromSeconds(parse.GetValue(timeout)), parse.GetValue(rate))).RunAsync(console, cancellationToken), cancellationToken);
            Console.Out.WriteLine(outcome.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            var clean = outcome["converged"]!.GetValue<bool>() && outcome["mismatches"]!.GetValue<long>() == 0 && outcome["oversold"]!.GetValue<long>() == 0;
            return clean ? 0 : 3;
        });
        return command;
    }

    // The platform is stopped before the outcome is printed: whatever the services log while they stop must come before
    // the JSON line, which scripts read as the last line.
    private static async Task<System.Text.Json.Nodes.JsonObject> RunAsync(IAnsiConsole console, LocalOptions options, Func<LocalPlatform, Task<System.Text.Json.Nodes.JsonObject>> scenario, CancellationToken cancellationToken)
    {
        console.MarkupLine("[grey]Starting the platform...[/]");
        await using var platform = await LocalPlatform.StartAsync(options with { Verbose = false, FreshState = true }, cancellationToken);
        return await scenario(platform);
    }
}
