using Platform.Contracts.Common.V1;
using Spectre.Console;

namespace Platform.Ctl.Output;

public static class StatusView
{
    public static void Render(IAnsiConsole console, IReadOnlyList<(string Service, ServiceStatus? Status)> rows, DateTimeOffset now)
    {
        var table = new Table()
            .Border(TableBorder.Rounded)
            .AddColumns("service", "version", "bus", "state", "outbox pending", "dead letters", "consumers", "flows");
        foreach (var (service, status) in rows)
        {
            if (status is null)
            {
                table.AddRow(Markup.Escape(service), "[red]unreachable[/]", "-", "-", "-", "-", "-", "-");
                continue;
            }

            table.AddRow(
                Markup.Escape(service),
                Markup.Escape(status.Version),
                Markup.Escape(status.BusProvider),
                Markup.Escape(status.StateProvider),
                Backlog(status.OutboxPending),
                Backlog(status.DeadLettersPending),
                Consumers(status.Consumers),
                Flows(status.Flows, now));
        }

        console.Write(table);
    }

    private static string Backlog(long count) => count == 0 ? "0" : $"[yellow]{Format.Count(count)}[/]";

    private static string Consumers(IEnumerable<ConsumerStatus> consumers)
    {
        var lines = consumers.Select(consumer =>
        {
            var state = consumer.State switch
            {
                ConsumerState.Running => "[green]running[/]",
                ConsumerState.Failed => "[red]failed[/]",
                ConsumerState.Starting => "[yellow]starting[/]",
                ConsumerState.Stopped => "[grey]stopped[/]",
                _ => "[grey]unknown[/]",
            };
            var lag = consumer.HasLag ? $", lag {Format.Count(consumer.Lag)}" : string.Empty;
            return $"{Markup.Escape(consumer.Group)} {state}{lag}";
        }).ToList();
        return lines.Count == 0 ? "[grey]none[/]" : string.Join('\n', lines);
    }

    private static string Flows(IEnumerable<FlowStatus> flows, DateTimeOffset now)
    {
        var lines = flows.Select(flow =>
        {
            var failedLast = flow.LastFailureTime is not null
                && (flow.LastSuccessTime is null || flow.LastFailureTime.ToDateTimeOffset() > flow.LastSuccessTime.ToDateTimeOffset());
            var name = Markup.Escape(flow.Flow);
            if (failedLast)
            {
                var reason = string.IsNullOrEmpty(flow.LastError) ? string.Empty : ": " + Markup.Escape(flow.LastError);
                return $"{name} [red]failed {Format.Age(flow.LastFailureTime, now)}{reason}[/] (ok {Format.Age(flow.LastSuccessTime, now)})";
            }

            return flow.LastSuccessTime is null
                ? $"{name} [grey]no run yet[/]"
                : $"{name} [green]ok {Format.Age(flow.LastSuccessTime, now)}[/]";
        }).ToList();
        return lines.Count == 0 ? "[grey]none[/]" : string.Join('\n', lines);
    }
}
