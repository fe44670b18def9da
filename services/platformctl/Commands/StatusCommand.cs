using System.CommandLine;
using System.Text.Json.Nodes;
using Platform.Contracts.Common.V1;
using Platform.Ctl.Clients;
using Platform.Ctl.Output;

namespace Platform.Ctl.Commands;

/// <summary>platformctl status [--service name | --all]</summary>
public static class StatusCommand
{
    public static Command Build(CtlTerminal terminal, GlobalOptions global)
    {
        var service = ServiceOption.Create(required: false, "Only this service.");
        var all = new Option<bool>("--all") { Description = "Every service (the default)." };
        var command = new Command("status", "Shows each service's build, adapters, backlogs, consumers and flow freshness.") { service, all };
        command.Validators.Add(result =>
        {
            if (result.GetValue(service) is not null && result.GetValue(all))
            {
                result.AddError("--service and --all exclude each other.");
            }
        });
        command.SetCtlAction(terminal, global, context => RunAsync(context, context.Parse.GetValue(service)));
        return command;
    }

    private static async Task<int> RunAsync(CtlContext context, string? only)
    {
        var services = only is null ? PlatformServices.All : [only];
        var results = await Task.WhenAll(services.Select(name => QueryAsync(context, name)));

        if (context.Json)
        {
            var array = new JsonArray();
            foreach (var result in results)
            {
                var entry = new JsonObject { ["service"] = result.Service, ["endpoint"] = result.Endpoint.ToString() };
                if (result.Status is not null)
                {
                    entry["status"] = JsonOutput.Message(result.Status);
                }
                else
                {
                    entry["error"] = ErrorReport.ToJson(result.Failure!, context.Settings.Timeout);
                }

                array.Add(entry);
            }

            context.WriteJson(new JsonObject { ["services"] = array });
        }
        else if (results.Any(result => result.Status is not null))
        {
            StatusView.Render(context.Console, results.Select(r => (r.Service, r.Status)).ToList(), context.Now);
        }

        var exitCode = ExitCodes.Success;
        foreach (var failure in results.Select(result => result.Failure).OfType<ServiceCallException>())
        {
            var (code, message) = ErrorReport.Describe(failure, context.Settings.Timeout);
            context.Warn(message);
            // The first failing service in layout order decides, so the same outage gives the same code every run.
            exitCode = exitCode == ExitCodes.Success ? code : exitCode;
        }

        return exitCode;
    }

    private static async Task<StatusResult> QueryAsync(CtlContext context, string service)
    {
        var admin = context.Clients.Admin(service);
        try
        {
            return new StatusResult(service, admin.Endpoint, await admin.GetStatusAsync(context.CancellationToken), null);
        }
        catch (ServiceCallException failure)
        {
            return new StatusResult(service, admin.Endpoint, null, failure);
        }
    }

    private sealed record StatusResult(string Service, Uri Endpoint, ServiceStatus? Status, ServiceCallException? Failure);
}
