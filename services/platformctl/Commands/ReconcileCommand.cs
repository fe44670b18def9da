using System.CommandLine;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Order.V1;
using Platform.Ctl.Clients;
using Platform.Ctl.Output;
using Spectre.Console;

namespace Platform.Ctl.Commands;

/// <summary>platformctl reconcile orders --from time --to time [--store code] | reconcile inventory (see ReconcileInventoryCommand)</summary>
public static class ReconcileCommand
{
    public static Command Build(CtlTerminal terminal, GlobalOptions global) =>
        new("reconcile", "Compares the platform's view with another system's (orders with the ERP, stock with the storefront); exits 3 when they disagree.")
        {
            Orders(terminal, global),
            ReconcileInventoryCommand.Build(terminal, global),
        };

    private static Command Orders(CtlTerminal terminal, GlobalOptions global)
    {
        var from = new Option<DateTimeOffset>("--from")
        {
            Description = "Start of the window (inclusive), ISO 8601; UTC when no offset is given.",
            HelpName = "time",
            Required = true,
            CustomParser = ValueParsers.Time,
        };
        var to = new Option<DateTimeOffset>("--to")
        {
            Description = "End of the window (exclusive), ISO 8601; UTC when no offset is given.",
            HelpName = "time",
            Required = true,
            CustomParser = ValueParsers.Time,
        };
        var store = new Option<string?>("--store") { Description = "Only orders of this store code; every store when absent.", HelpName = "code" };
        var command = new Command(
            "orders",
            "Compares the storefront's orders with the ERP's for a time window: counts, totals per currency, and the orders "
            + "missing from the ERP, extra in it, or different. Exit code 0 when they agree, 3 when there are mismatches.")
        {
            from, to, store,
        };
        command.SetCtlAction(terminal, global, async context =>
        {
            // Checked here, not in a validator: a validator runs even when a time failed to parse, and reading
            // that option's value there throws.
            if (context.Parse.GetValue(from) >= context.Parse.GetValue(to))
            {
                throw CtlException.Usage("--from must be before --to.");
            }

            var request = new ReconcileOrdersRequest
            {
                From = Timestamp.FromDateTimeOffset(context.Parse.GetValue(from)),
                To = Timestamp.FromDateTimeOffset(context.Parse.GetValue(to)),
                StoreCode = context.Parse.GetValue(store) ?? string.Empty,
            };
            var (connection, client) = context.Clients.Orders();
            var response = context.ShowsProgress
                ? await context.Console.Status().Spinner(Spinner.Known.Dots).StartAsync(
                    "Reconciling orders with the ERP...",
                    _ => connection.CallAsync("ReconcileOrders", options => client.ReconcileOrdersAsync(request, options), context.CancellationToken))
                : await connection.CallAsync("ReconcileOrders", options => client.ReconcileOrdersAsync(request, options), context.CancellationToken);

            var reconciliation = response.Reconciliation
                ?? throw new CtlException(ExitCodes.Failure, "order answered ReconcileOrders without a reconciliation.");
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["storeCode"] = request.StoreCode,
                    ["reconciliation"] = JsonOutput.Message(reconciliation),
                });
            }
            else
            {
                ReconciliationView.Render(context.Console, reconciliation, request.StoreCode);
            }

            return reconciliation.Mismatches == 0 ? ExitCodes.Success : ExitCodes.Mismatches;
        });
        return command;
    }
}
