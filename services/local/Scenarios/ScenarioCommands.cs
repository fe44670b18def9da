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
        var ordersCommand = new Command("orders", "Storefront orders to the ERP exactly once, with cancellations, refunds and split shipments.") { orders, erpErrorRate, duplicates, timeout };
        ordersCommand.Validators.Add(result =>
        {
            if (result.GetValue(orders) is < 1 or > 100_000)
            {
                result.AddError("--orders must be between 1 and 100000.");
            }

            if (result.GetValue(erpErrorRate) is < 0 or > 0.9 || result.GetValue(duplicates) is < 0 or > 1)
            {
                result.AddError("--erp-error-rate must be between 0 and 0.9 and --duplicate-webhooks between 0 and 1.");
            }
        });
        ordersCommand.SetAction(async (parse, cancellationToken) =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            console.MarkupLine("[grey]Starting the platform...[/]");
            await using var platform = await LocalPlatform.StartAsync(localOptions(parse) with { Verbose = false }, cancellationToken);
            var outcome = await new OrdersScenario(platform, new OrdersScenarioOptions(
                parse.GetValue(orders), parse.GetValue(erpErrorRate), parse.GetValue(duplicates), TimeSpan.FromSeconds(parse.GetValue(timeout)))).RunAsync(console, cancellationToken);
            Console.Out.WriteLine(outcome.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            var clean = outcome["lost"]!.GetValue<int>() == 0 && outcome["erpDuplicates"]!.GetValue<long>() == 0 && outcome["reconciliationMismatches"]!.GetValue<long>() == 0;
            return clean ? 0 : 3;
        });
        scenario.Subcommands.Add(ordersCommand);
        return scenario;
    }
}
