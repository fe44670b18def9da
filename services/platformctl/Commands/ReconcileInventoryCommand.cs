using System.CommandLine;
using System.Text.Json.Nodes;
using Platform.Contracts.Inventory.V1;
using Platform.Ctl.Clients;
using Platform.Ctl.Output;
using Spectre.Console;

namespace Platform.Ctl.Commands;

/// <summary>platformctl reconcile inventory [--sku sku...] [--skus-file path] [--target name]</summary>
public static class ReconcileInventoryCommand
{
    public static Command Build(CtlTerminal terminal, GlobalOptions global)
    {
        var skus = new Option<string[]>("--sku")
        {
            Description = "Only these SKUs (repeat the option or list several after it). With neither --sku nor --skus-file, "
                + "every SKU the platform holds stock for.",
            HelpName = "sku",
            AllowMultipleArgumentsPerToken = true,
        };
        var skusFile = new Option<string?>("--skus-file")
        {
            Description = "Also the SKUs in this file, one per line (blank lines skipped); '-' reads them from standard input.",
            HelpName = "path",
        };
        var target = new Option<string?>("--target")
        {
            Description = "Only this storefront target, as the inventory service names it (e.g. magento); every enabled target when absent.",
            HelpName = "name",
        };
        var command = new Command(
            "inventory",
            "Compares what each storefront target holds per SKU and source with what the platform computed for it: SKUs "
            + "and items compared, pushes still pending, and every drift in quantity or stock status. Exit code 0 when they "
            + "agree, 3 when there are mismatches.")
        {
            skus, skusFile, target,
        };
        command.SetCtlAction(terminal, global, async context =>
        {
            var targetName = context.Parse.GetValue(target);
            if (targetName is not null && targetName.Trim().Length == 0)
            {
                throw CtlException.Usage("--target: give a target name, or leave the option out to compare every target.");
            }

            var request = new ReconcileInventoryRequest { Target = targetName?.Trim() ?? string.Empty };
            request.Skus.AddRange(SkuList.Read(context.Parse.GetValue(skus) ?? [], context.Parse.GetValue(skusFile), context.Terminal.Input));

            var (connection, client) = context.Clients.Inventory();
            var response = context.ShowsProgress
                ? await context.Console.Status().Spinner(Spinner.Known.Dots).StartAsync(
                    "Reconciling stock with the storefront...",
                    _ => connection.CallAsync("ReconcileInventory", options => client.ReconcileInventoryAsync(request, options), context.CancellationToken))
                : await connection.CallAsync("ReconcileInventory", options => client.ReconcileInventoryAsync(request, options), context.CancellationToken);

            var reconciliation = response.Reconciliation
                ?? throw new CtlException(ExitCodes.Failure, "inventory answered ReconcileInventory without a reconciliation.");
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["target"] = request.Target,
                    ["skusRequested"] = request.Skus.Count,
                    ["reconciliation"] = JsonOutput.Message(reconciliation),
                });
            }
            else
            {
                InventoryReconciliationView.Render(context.Console, reconciliation, request.Target, request.Skus.Count);
            }

            return reconciliation.Mismatches == 0 ? ExitCodes.Success : ExitCodes.Mismatches;
        });
        return command;
    }
}
